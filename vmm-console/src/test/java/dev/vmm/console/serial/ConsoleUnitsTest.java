package dev.vmm.console.serial;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The console's small parts: the scrollback ring, a client's bounded queue, the guest input queue. */
class ConsoleUnitsTest {
    @Test
    void scrollbackKeepsTheLastBytesAcrossWraps() {
        Scrollback s = new Scrollback(5);
        s.append("abc".getBytes(), 0, 3);
        assertArrayEquals("abc".getBytes(), s.snapshot());
        s.append("defg".getBytes(), 0, 4);
        assertArrayEquals("cdefg".getBytes(), s.snapshot());
        s.append("xyz123456".getBytes(), 2, 4);
        assertArrayEquals("gz123".getBytes(), s.snapshot());
        s.append("0123456789".getBytes(), 0, 10);
        assertArrayEquals("56789".getBytes(), s.snapshot());
        // Against a plain model: random appends, compare with the tail of everything written.
        java.util.Random r = new java.util.Random(7);
        Scrollback t = new Scrollback(97);
        StringBuilder model = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            byte[] b = new byte[r.nextInt(130)];
            for (int j = 0; j < b.length; j++) b[j] = (byte) ('a' + r.nextInt(26));
            t.append(b, 0, b.length);
            model.append(new String(b));
            String tail = model.substring(Math.max(0, model.length() - 97));
            assertEquals(tail, new String(t.snapshot()));
        }
        assertEquals(0, new Scrollback(0).snapshot().length);
    }

    @Test
    void clientQueueRefusesForeverOnceOverflowed() {
        ClientQueue q = new ClientQueue(10);
        assertTrue(q.offer("12345".getBytes()));
        assertTrue(q.offer("67890".getBytes()));
        assertEquals(10, q.queuedBytes());
        assertArrayEquals("12345".getBytes(), q.poll());
        assertTrue(q.offer("abcde".getBytes()));
        assertFalse(q.offer("x".getBytes()), "11 bytes > 10");
        assertTrue(q.overflowed());
        assertNull(q.poll(), "emptied: a dropped client gets no partial stream");
        assertFalse(q.offer("y".getBytes()));
    }

    @Test
    void guestInputKeepsOrderAcrossChunksAndResumesPausedClientsAtHalf() {
        GuestInput in = new GuestInput(6);
        List<String> resumed = new ArrayList<>();
        assertFalse(in.offer("ab".getBytes()));
        assertTrue(in.offer("cdef".getBytes()));
        in.pause(() -> resumed.add("p"));
        assertEquals(1, in.pausedCount());
        assertEquals('a', in.poll());
        assertEquals('b', in.poll());
        assertTrue(resumed.isEmpty(), "4 > 3 left");
        assertEquals('c', in.poll());
        assertEquals(List.of("p"), resumed);
        assertEquals('d', in.poll());
        assertEquals('e', in.poll());
        assertEquals('f', in.poll());
        assertEquals(-1, in.poll());
        // Pausing after the queue already drained resumes at once.
        in.pause(() -> resumed.add("q"));
        assertEquals(List.of("p", "q"), resumed);
        GuestInput high = new GuestInput(4);
        high.offer(new byte[] {(byte) 0xFF});
        assertEquals(0xFF, high.poll(), "bytes are unsigned");
    }
}
