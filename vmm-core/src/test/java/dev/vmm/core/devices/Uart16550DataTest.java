package dev.vmm.core.devices;

import org.junit.jupiter.api.Test;

import static dev.vmm.core.devices.Ns16550.*;
import static org.junit.jupiter.api.Assertions.*;

/** Bytes in and out: transmit, receive, FIFOs and their trigger levels, overrun, loopback, 8250 mode. */
class Uart16550DataTest {

    private final UartHarness h = new UartHarness();

    @Test
    void transmittedBytesReachTheSinkAndThrIsEmptyAgainAtOnce() {
        for (char c : "hello\n".toCharArray()) {
            assertEquals(LSR_THRE | LSR_TEMT, h.in(LSR) & (LSR_THRE | LSR_TEMT), "guest polls THRE first");
            h.out(THR, c);
        }
        assertEquals("hello\n", h.transmitted());
        assertEquals(LSR_THRE | LSR_TEMT, h.in(LSR));
        assertEquals(6, h.uart.transmittedBytes());
    }

    @Test
    void transmitWithFifosEnabled() {
        h.enableFifos(FCR_TRIGGER_14);
        for (int i = 0; i < 40; i++) h.out(THR, 'a' + (i % 26));  // more than a FIFO's worth
        assertEquals(40, h.transmitted().length());
        assertEquals(LSR_THRE | LSR_TEMT, h.in(LSR));
    }

    @Test
    void receiveFromSourceSetsDrAndRbrReadsInOrder() {
        assertEquals(0, h.in(LSR) & LSR_DR);
        h.type("ok");
        assertEquals(LSR_DR, h.in(LSR) & LSR_DR, "an LSR read pulls from the source");
        assertEquals('o', h.in(RBR));
        assertEquals(LSR_DR, h.in(LSR) & LSR_DR);
        assertEquals('k', h.in(RBR));
        assertEquals(0, h.in(LSR) & LSR_DR);
        assertEquals('k', h.in(RBR), "an empty RBR reads the last byte again");
        assertEquals(2, h.uart.receivedBytes());
    }

    @Test
    void rbrReadPullsWithoutAnLsrRead() {
        h.type("z");
        assertEquals('z', h.in(RBR));
    }

    @Test
    void pollInputFillsTheFifoFromTheSourceWithoutOverrun() {
        h.enableFifos(FCR_TRIGGER_1);
        h.type("0123456789abcdefXYZ");  // 19 bytes, 16 fit
        h.uart.pollInput();
        assertEquals(3, h.input.size(), "the rest wait in the source");
        StringBuilder got = new StringBuilder();
        while ((h.in(LSR) & LSR_DR) != 0) got.append((char) h.in(RBR));
        assertEquals("0123456789abcdefXYZ", got.toString());
        assertEquals(0, h.uart.overrunCount());
        assertEquals(0, h.in(LSR) & LSR_OE);
    }

    @Test
    void eightBitModeHoldsOneByteAndPullsTheNextWhenRead() {
        h.type("ab");
        h.uart.pollInput();
        assertEquals(1, h.input.size(), "with FIFOs off the receiver buffer holds one byte");
        assertEquals('a', h.in(RBR));
        assertEquals('b', h.in(RBR));
        assertEquals(0, h.in(LSR) & LSR_DR);
    }

    @Test
    void overrunInFifoModeKeepsTheFifoAndSetsOe() {
        h.enableFifos(FCR_TRIGGER_14);
        for (int i = 0; i < 16; i++) h.uart.receive((byte) ('A' + i));
        h.uart.receive((byte) '!');
        assertEquals(1, h.uart.overrunCount());
        int lsr = h.in(LSR);
        assertEquals(LSR_OE | LSR_DR, lsr & (LSR_OE | LSR_DR));
        assertEquals(0, h.in(LSR) & LSR_OE, "reading LSR clears OE");
        for (int i = 0; i < 16; i++) assertEquals('A' + i, h.in(RBR));
        assertEquals(0, h.in(LSR) & LSR_DR, "the overrun byte never entered the FIFO");
    }

    @Test
    void overrunInEightBitModeOverwritesRbr() {
        h.uart.receive((byte) '1');
        h.uart.receive((byte) '2');
        assertEquals(LSR_OE | LSR_DR, h.in(LSR) & (LSR_OE | LSR_DR));
        assertEquals('2', h.in(RBR));
        assertEquals(0, h.in(LSR) & (LSR_DR | LSR_OE));
    }

    @Test
    void fcrResetsEmptyTheReceiverAndTogglingEnableClearsIt() {
        h.enableFifos(FCR_TRIGGER_1);
        h.uart.receive((byte) 'x');
        h.out(FCR, FCR_FIFO_ENABLE | FCR_RCVR_RESET);
        assertEquals(0, h.in(LSR) & LSR_DR);
        h.uart.receive((byte) 'y');
        h.out(FCR, 0);  // FIFOs off: both FIFOs are cleared
        assertEquals(0, h.in(LSR) & LSR_DR);
        h.uart.receive((byte) 'z');
        h.enableFifos(FCR_TRIGGER_1);
        assertEquals(0, h.in(LSR) & LSR_DR);
    }

    @Test
    void fcrBitsOtherThanEnableAreIgnoredWhileDisabling() {
        h.out(FCR, FCR_TRIGGER_14);  // FIFO enable clear: nothing programmed
        assertEquals(0x01, h.in(IIR));
        h.out(FCR, FCR_FIFO_ENABLE | FCR_TRIGGER_4);
        h.out(IER, IER_ERBFI);
        for (int i = 0; i < 3; i++) h.uart.receive((byte) i);
        assertEquals(IIR_NO_INT, h.iirId(), "trigger level 4 not reached");
        h.uart.receive((byte) 3);
        assertEquals(IIR_RDA, h.iirId());
    }

    @Test
    void loopbackSendsTxToRxAndNotToTheSink() {
        h.out(MCR, MCR_LOOP);
        h.out(THR, 0x5A);
        assertEquals("", h.transmitted());
        assertEquals(LSR_DR | LSR_THRE | LSR_TEMT, h.in(LSR));
        assertEquals(0x5A, h.in(RBR));
        assertEquals(0, h.in(LSR) & LSR_DR);
    }

    @Test
    void loopbackDisconnectsTheSourceUntilLoopbackEnds() {
        h.type("q");
        h.out(MCR, MCR_LOOP);
        h.uart.pollInput();
        h.uart.receive((byte) 'r');  // SIN is disconnected too
        assertEquals(0, h.in(LSR) & LSR_DR);
        h.out(MCR, 0);
        assertEquals('q', h.in(RBR));
    }

    @Test
    void loopbackOverrunsWhenTheFifoIsFull() {
        h.enableFifos(FCR_TRIGGER_14);
        h.out(MCR, MCR_LOOP);
        for (int i = 0; i < 17; i++) h.out(THR, i);
        assertEquals(LSR_OE, h.in(LSR) & LSR_OE);
        for (int i = 0; i < 16; i++) assertEquals(i, h.in(RBR));
    }

    @Test
    void loopbackRoutesModemOutputsToModemInputs() {
        h.in(MSR);
        h.out(MCR, MCR_LOOP);
        // Entering loopback with all outputs low drops CTS, DSR and DCD: their deltas are set.
        assertEquals(MSR_DCTS | MSR_DDSR | MSR_DDCD, h.in(MSR));
        h.out(MCR, MCR_LOOP | MCR_RTS);
        assertEquals(MSR_CTS | MSR_DCTS, h.in(MSR));
        h.out(MCR, MCR_LOOP | MCR_RTS | MCR_DTR);
        assertEquals(MSR_CTS | MSR_DSR | MSR_DDSR, h.in(MSR));
        h.out(MCR, MCR_LOOP | MCR_RTS | MCR_DTR | MCR_OUT2);
        assertEquals(MSR_CTS | MSR_DSR | MSR_DCD | MSR_DDCD, h.in(MSR));
        h.out(MCR, MCR_LOOP | MCR_RTS | MCR_DTR | MCR_OUT2 | MCR_OUT1);
        assertEquals(MSR_CTS | MSR_DSR | MSR_DCD | MSR_RI, h.in(MSR), "RI's leading edge sets no delta");
        h.out(MCR, MCR_LOOP | MCR_RTS | MCR_DTR | MCR_OUT2);
        assertEquals(MSR_CTS | MSR_DSR | MSR_DCD | MSR_TERI, h.in(MSR), "RI's trailing edge sets TERI");
        assertEquals(MSR_CTS | MSR_DSR | MSR_DCD, h.in(MSR), "reading MSR clears the deltas");
    }

    @Test
    void leavingLoopbackRestoresThePeersInputs() {
        h.out(MCR, MCR_LOOP);
        h.in(MSR);
        h.out(MCR, 0);
        assertEquals(MSR_DCD | MSR_DSR | MSR_CTS | MSR_DDCD | MSR_DDSR | MSR_DCTS, h.in(MSR));
    }

    @Test
    void modemInputsFromThePeerSetDeltas() {
        h.uart.setModemInputs(MSR_DSR | MSR_CTS);  // carrier lost
        assertEquals(MSR_DSR | MSR_CTS | MSR_DDCD, h.in(MSR));
        assertEquals(MSR_DSR | MSR_CTS, h.in(MSR));
    }
}
