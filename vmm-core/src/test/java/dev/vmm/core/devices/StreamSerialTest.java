package dev.vmm.core.devices;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.vmm.core.devices.Ns16550.*;
import static org.junit.jupiter.api.Assertions.*;

/** The host-stream adapters, through piped streams and a UART. */
@Timeout(10)
class StreamSerialTest {

    /** Polls until {@code n} bytes were taken or the deadline passes. */
    private static String pollFor(SerialSource source, int n) throws InterruptedException {
        StringBuilder sb = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (sb.length() < n && System.nanoTime() < deadline) {
            int b = source.poll();
            if (b < 0) Thread.sleep(1);
            else sb.append((char) b);
        }
        return sb.toString();
    }

    @Test
    void bytesWrittenToThePipeArriveInOrderAndPollNeverBlocks() throws Exception {
        PipedOutputStream host = new PipedOutputStream();
        try (InputStreamSerialSource source = new InputStreamSerialSource(new PipedInputStream(host))) {
            assertEquals(-1, source.poll(), "nothing typed yet");
            host.write("hello\n".getBytes(StandardCharsets.US_ASCII));
            host.flush();
            assertEquals("hello\n", pollFor(source, 6));
            assertEquals(-1, source.poll());
            assertFalse(source.exhausted());
        }
    }

    @Test
    void highBytesComeOutUnsigned() throws Exception {
        PipedOutputStream host = new PipedOutputStream();
        try (InputStreamSerialSource source = new InputStreamSerialSource(new PipedInputStream(host))) {
            host.write(new byte[] {(byte) 0xFF, (byte) 0x80});
            host.flush();
            String s = pollFor(source, 2);
            assertEquals(0xFF, s.charAt(0));
            assertEquals(0x80, s.charAt(1));
        }
    }

    @Test
    void endOfStreamLeavesQueuedBytesThenExhausts() throws Exception {
        PipedOutputStream host = new PipedOutputStream();
        try (InputStreamSerialSource source = new InputStreamSerialSource(new PipedInputStream(host))) {
            host.write('x');
            host.close();
            assertEquals("x", pollFor(source, 1));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!source.exhausted() && System.nanoTime() < deadline) Thread.sleep(1);
            assertTrue(source.exhausted());
            assertEquals(-1, source.poll());
            assertNull(source.failure());
        }
    }

    @Test
    void aFullQueueHoldsTheReaderBackInsteadOfDroppingInput() throws Exception {
        PipedOutputStream host = new PipedOutputStream();
        PipedInputStream in = new PipedInputStream(host, 64);
        try (InputStreamSerialSource source = new InputStreamSerialSource(in, 8, null)) {
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < 40; i++) host.write('a' + (i % 26));
                    host.flush();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (source.queued() < 8 && System.nanoTime() < deadline) Thread.sleep(1);
            assertEquals(8, source.queued(), "bounded");
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < 40; i++) expected.append((char) ('a' + (i % 26)));
            assertEquals(expected.toString(), pollFor(source, 40));
            writer.join();
        }
    }

    @Test
    void onInputIsCalledWhenBytesArrive() throws Exception {
        PipedOutputStream host = new PipedOutputStream();
        CountDownLatch woken = new CountDownLatch(1);
        try (InputStreamSerialSource source =
                     new InputStreamSerialSource(new PipedInputStream(host), 16, woken::countDown)) {
            host.write('!');
            host.flush();
            assertTrue(woken.await(5, TimeUnit.SECONDS));
            assertEquals('!', source.poll());
        }
    }

    @Test
    void closeStopsTheReaderWithoutClosingTheStream() throws Exception {
        PipedOutputStream host = new PipedOutputStream();
        boolean[] closed = {false};
        FilterInputStream in = new FilterInputStream(new PipedInputStream(host)) {
            @Override
            public void close() throws IOException {
                closed[0] = true;
                super.close();
            }
        };
        InputStreamSerialSource source = new InputStreamSerialSource(in);
        source.close();  // the reader is blocked in read(): the pipe's wait is interruptible
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!source.exhausted() && System.nanoTime() < deadline) Thread.sleep(1);
        assertTrue(source.exhausted());
        assertNull(source.failure(), "an interrupt is not a read error");
        assertFalse(closed[0], "the stream belongs to the caller");
    }

    @Test
    void sinkFlushesOnNewlineAndWhenAsked() throws IOException {
        ByteArrayOutputStream host = new ByteArrayOutputStream();
        OutputStreamSerialSink sink = new OutputStreamSerialSink(host);
        for (byte b : "login: ".getBytes(StandardCharsets.US_ASCII)) sink.write(b);
        assertEquals("", host.toString(StandardCharsets.US_ASCII), "buffered until a newline or flush()");
        sink.flush();
        assertEquals("login: ", host.toString(StandardCharsets.US_ASCII));
        for (byte b : "root\n".getBytes(StandardCharsets.US_ASCII)) sink.write(b);
        assertEquals("login: root\n", host.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void sinkRecordsAWriteErrorAndKeepsTheGuestRunning() {
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("broken pipe");
            }
        };
        OutputStreamSerialSink sink = new OutputStreamSerialSink(broken);
        sink.write((byte) '\n');  // flush fails
        sink.write((byte) 'a');
        sink.flush();
        assertEquals("broken pipe", sink.failure().getMessage());
    }

    @Test
    void pipedStreamsThroughAUartEndToEnd() throws Exception {
        PipedOutputStream keyboard = new PipedOutputStream();
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        OutputStreamSerialSink sink = new OutputStreamSerialSink(screen);
        try (InputStreamSerialSource source = new InputStreamSerialSource(new PipedInputStream(keyboard))) {
            Uart16550 uart = new Uart16550(COM1_BASE, sink, source, IrqLine.NONE);
            keyboard.write("echo\n".getBytes(StandardCharsets.US_ASCII));
            keyboard.flush();
            // A polling guest echoing what it reads.
            int echoed = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (echoed < 5 && System.nanoTime() < deadline) {
                if ((uart.in(COM1_BASE + LSR, 1) & LSR_DR) != 0) {
                    uart.out(COM1_BASE + THR, 1, uart.in(COM1_BASE + RBR, 1));
                    echoed++;
                } else {
                    Thread.sleep(1);
                }
            }
            assertEquals("echo\n", screen.toString(StandardCharsets.US_ASCII));
        }
    }
}
