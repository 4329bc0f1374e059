package dev.vmm.core.devices;

import org.junit.jupiter.api.Test;

import static dev.vmm.core.devices.Ns16550.*;
import static org.junit.jupiter.api.Assertions.*;

/** Register file: reset values, read/write round trips, DLAB, masks, wide accesses. */
class Uart16550RegisterTest {

    private final UartHarness h = new UartHarness();

    @Test
    void resetValues() {
        assertEquals(0x00, h.in(IER));
        assertEquals(IIR_NO_INT, h.in(IIR));
        assertEquals(0x00, h.in(LCR));
        assertEquals(0x00, h.in(MCR));
        assertEquals(LSR_THRE | LSR_TEMT, h.in(LSR));
        assertEquals(MSR_DCD | MSR_DSR | MSR_CTS, h.in(MSR));  // a peer that is up, no deltas
        assertEquals(0x00, h.in(SCR));
        assertFalse(h.uart.irqAsserted());
        assertTrue(h.irqEdges.isEmpty(), "reset must not toggle the line");
    }

    @Test
    void divisorLatchRoundTripsUnderDlab() {
        h.out(LCR, LCR_DLAB | 0x03);
        assertEquals(DEFAULT_DIVISOR, h.in(DLL));
        assertEquals(0, h.in(DLM));
        h.out(DLL, 0x01);  // 115200 baud
        h.out(DLM, 0x00);
        assertEquals(0x01, h.in(DLL));
        h.out(DLL, 0x34);
        h.out(DLM, 0x12);
        assertEquals(0x34, h.in(DLL));
        assertEquals(0x12, h.in(DLM));
        assertEquals(0x1234, h.bus.in(COM1_BASE, 2));  // DLL and DLM in one 16-bit IN
        h.out(LCR, 0x03);
        // With DLAB clear the same offsets are RBR/THR and IER again: nothing was transmitted, IER untouched.
        assertEquals(0x00, h.in(IER));
        assertEquals("", h.transmitted());
        h.out(LCR, LCR_DLAB | 0x03);
        assertEquals(0x34, h.in(DLL), "divisor survives DLAB toggling");
        assertEquals(0x12, h.in(DLM));
    }

    @Test
    void writesUnderDlabDoNotTransmitOrEnableInterrupts() {
        h.out(LCR, LCR_DLAB);
        h.out(THR, 'x');
        h.out(IER, 0x0F);
        h.out(LCR, 0);
        assertEquals("", h.transmitted());
        assertEquals(0, h.in(IER));
        assertFalse(h.irq);
    }

    @Test
    void lcrAndScrRoundTripAllValues() {
        for (int v = 0; v < 256; v++) {
            h.out(SCR, v);
            assertEquals(v, h.in(SCR));
        }
        for (int v = 0; v < 256; v++) {
            h.out(LCR, v);
            assertEquals(v, h.in(LCR));
        }
    }

    @Test
    void ierKeepsOnlyFourBitsAndMcrFive() {
        h.out(IER, 0xFF);
        assertEquals(IER_MASK, h.in(IER));
        h.out(IER, 0);
        h.out(MCR, 0xFF & ~MCR_LOOP);
        assertEquals(MCR_MASK & ~MCR_LOOP, h.in(MCR));
    }

    @Test
    void lsrAndMsrWritesAreIgnored() {
        h.out(LSR, 0xFF);
        h.out(MSR, 0x00);
        assertEquals(LSR_THRE | LSR_TEMT, h.in(LSR));
        assertEquals(MSR_DCD | MSR_DSR | MSR_CTS, h.in(MSR));
    }

    @Test
    void iirShowsFifoBitsOnlyWhenFifosEnabled() {
        assertEquals(0x01, h.in(IIR));
        h.enableFifos(FCR_TRIGGER_1);
        assertEquals(IIR_FIFOS_ENABLED | IIR_NO_INT, h.in(IIR));
        h.out(FCR, 0);
        assertEquals(0x01, h.in(IIR));
    }

    @Test
    void wideAccessesReachConsecutiveRegisters() {
        h.bus.out(COM1_BASE + SCR - 1, 2, 0xA500);  // MSR write ignored, SCR = 0xA5
        assertEquals(0xA5, h.in(SCR));
        // A 16-bit IN at the last port: the byte past the UART is the floating bus.
        assertEquals(0xFFA5, h.bus.in(COM1_BASE + SCR, 2));
        h.bus.out(COM1_BASE + LCR, 2, 0x0B03);      // LCR = 0x03, MCR = 0x0B
        assertEquals(0x03, h.in(LCR));
        assertEquals(0x0B, h.in(MCR));
    }

    @Test
    void resetRestoresPowerOnState() {
        h.out(LCR, 0x83);
        h.out(DLL, 1);
        h.out(LCR, 0x03);
        h.out(IER, 0x0F);
        h.out(SCR, 0x55);
        h.enableFifos(FCR_TRIGGER_14);
        h.uart.receive((byte) 'a');
        h.uart.reset();
        assertEquals(0, h.in(IER));
        assertEquals(0, h.in(LCR));
        assertEquals(0, h.in(SCR));
        assertEquals(IIR_NO_INT, h.in(IIR));
        assertEquals(LSR_THRE | LSR_TEMT, h.in(LSR));
        assertFalse(h.irq);
        h.out(LCR, LCR_DLAB);
        assertEquals(DEFAULT_DIVISOR, h.in(DLL));
    }

    @Test
    void toStringHasNoSideEffects() {
        h.out(IER, IER_ETBEI);
        assertTrue(h.uart.toString().contains("IIR=02"));
        assertEquals(IIR_THRE, h.iirId(), "toString must not consume the THRE interrupt");
    }
}
