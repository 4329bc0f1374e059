package dev.vmm.core.devices;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.vmm.core.devices.Ns16550.*;
import static org.junit.jupiter.api.Assertions.*;

/** IIR priorities, what sets and clears each source, and the interrupt line following them. */
class Uart16550InterruptTest {

    private final UartHarness h = new UartHarness();

    @Test
    void threInterruptIsRaisedWhenEtbeiIsEnabledWhileThrIsEmpty() {
        h.out(IER, IER_ETBEI);
        assertTrue(h.irq);
        assertEquals(IIR_THRE, h.iirId());
        assertFalse(h.irq, "reading IIR while THRE is the source clears it");
        assertEquals(IIR_NO_INT, h.iirId());
    }

    @Test
    void rewritingIerWithoutAnEtbeiEdgeDoesNotReraiseThre() {
        h.out(IER, IER_ETBEI);
        h.iirId();
        h.out(IER, IER_ETBEI);
        assertFalse(h.irq);
        // Linux's THRE test: clear IER, set ETBEI again, and expect the interrupt back.
        h.out(IER, 0);
        h.out(IER, IER_ETBEI);
        assertEquals(IIR_THRE, h.iirId());
    }

    @Test
    void writingThrClearsThreThenItIsRaisedAgainWhenThrEmpties() {
        h.out(IER, IER_ETBEI);
        h.iirId();
        h.out(THR, 'a');  // clears, and the byte leaves at once: THR is empty again
        assertTrue(h.irq);
        assertEquals(IIR_THRE, h.iirId());
        assertEquals(List.of(true, false, true, false), h.irqEdges);
    }

    @Test
    void threLatchedWhileMaskedShowsWhenEnabled() {
        h.out(THR, 'a');
        assertFalse(h.irq);
        h.out(IER, IER_ETBEI);
        assertEquals(IIR_THRE, h.iirId());
    }

    @Test
    void disablingEtbeiDropsTheLine() {
        h.out(IER, IER_ETBEI);
        assertTrue(h.irq);
        h.out(IER, 0);
        assertFalse(h.irq);
        assertEquals(IIR_NO_INT, h.iirId());
    }

    @Test
    void receivedDataInterruptFollowsErbfiInEightBitMode() {
        h.uart.receive((byte) 'x');
        assertFalse(h.irq, "ERBFI clear");
        h.out(IER, IER_ERBFI);
        assertTrue(h.irq);
        assertEquals(IIR_RDA, h.iirId());
        assertTrue(h.irq, "reading IIR does not clear received data available");
        h.out(IER, 0);
        assertFalse(h.irq);
        h.out(IER, IER_ERBFI);
        assertTrue(h.irq);
        h.in(RBR);
        assertFalse(h.irq, "reading RBR clears it");
    }

    @Test
    void receivedDataInterruptWaitsForTheTriggerLevel() {
        h.enableFifos(FCR_TRIGGER_8);
        h.out(IER, IER_ERBFI);
        for (int i = 0; i < 7; i++) h.uart.receive((byte) i);
        assertFalse(h.irq);
        h.uart.receive((byte) 7);
        assertTrue(h.irq);
        assertEquals(IIR_FIFOS_ENABLED | IIR_RDA, h.in(IIR));
        h.in(RBR);
        assertFalse(h.irq, "below the trigger level again, and no timeout yet");
    }

    @Test
    void triggerLevels() {
        assertEquals(1, triggerLevel(FCR_TRIGGER_1));
        assertEquals(4, triggerLevel(FCR_TRIGGER_4));
        assertEquals(8, triggerLevel(FCR_TRIGGER_8));
        assertEquals(14, triggerLevel(FCR_TRIGGER_14));
    }

    @Test
    void characterTimeoutAfterAQuietPollInterval() {
        h.enableFifos(FCR_TRIGGER_14);
        h.out(IER, IER_ERBFI);
        h.type("ls");
        h.uart.pollInput();  // pulls the bytes: that is activity, no timeout yet
        assertFalse(h.irq);
        h.uart.pollInput();  // a quiet interval with bytes below the trigger level
        assertTrue(h.irq);
        assertEquals(IIR_CTI, h.iirId());
        assertEquals('l', h.in(RBR));
        assertFalse(h.irq, "reading RBR clears the timeout");
        h.uart.pollInput();  // the read was activity
        assertFalse(h.irq);
        h.uart.pollInput();
        assertEquals(IIR_CTI, h.iirId());
        assertEquals('s', h.in(RBR));
        h.uart.pollInput();
        h.uart.pollInput();
        assertFalse(h.irq, "an empty FIFO never times out");
    }

    @Test
    void noCharacterTimeoutWithFifosDisabled() {
        h.out(IER, IER_ERBFI);
        h.uart.receive((byte) 'a');
        h.uart.pollInput();
        h.uart.pollInput();
        assertEquals(IIR_RDA, h.iirId());
    }

    @Test
    void receiverLineStatusInterruptOnOverrunClearedByReadingLsr() {
        h.out(IER, IER_ELSI);
        h.uart.receive((byte) 1);
        assertFalse(h.irq);
        h.uart.receive((byte) 2);
        assertTrue(h.irq);
        assertEquals(IIR_RLS, h.iirId());
        h.in(LSR);
        assertFalse(h.irq);
    }

    @Test
    void modemStatusInterruptClearedByReadingMsr() {
        h.out(IER, IER_EDSSI);
        assertFalse(h.irq);
        h.uart.setModemInputs(MSR_CTS);
        assertTrue(h.irq);
        assertEquals(IIR_MS, h.iirId());
        h.in(MSR);
        assertFalse(h.irq);
        assertEquals(IIR_NO_INT, h.iirId());
    }

    @Test
    void modemStatusInterruptInLoopbackComesFromMcr() {
        h.out(MCR, MCR_LOOP);
        h.in(MSR);
        h.out(IER, IER_EDSSI);
        assertFalse(h.irq);
        h.out(MCR, MCR_LOOP | MCR_DTR);
        assertEquals(IIR_MS, h.iirId());
    }

    @Test
    void iirReportsSourcesInPriorityOrder() {
        h.out(IER, IER_ERBFI | IER_ETBEI | IER_ELSI | IER_EDSSI);
        h.uart.setModemInputs(MSR_CTS);            // modem status pending
        h.uart.receive((byte) 1);
        h.uart.receive((byte) 2);                  // overrun: line status pending, data available
        assertEquals(IIR_RLS, h.iirId());
        h.in(LSR);
        assertEquals(IIR_RDA, h.iirId());
        h.in(RBR);
        assertEquals(IIR_THRE, h.iirId());         // and this read clears THRE
        assertEquals(IIR_MS, h.iirId());
        h.in(MSR);
        assertEquals(IIR_NO_INT, h.iirId());
        assertFalse(h.irq);
    }

    @Test
    void readingIirWhenThreIsNotTheSourceLeavesItPending() {
        h.out(IER, IER_ERBFI | IER_ETBEI);
        h.uart.receive((byte) 'x');
        assertEquals(IIR_RDA, h.iirId());
        assertEquals(IIR_RDA, h.iirId());
        h.in(RBR);
        assertEquals(IIR_THRE, h.iirId(), "THRE was hidden behind RDA, not cleared");
    }

    @Test
    void lineChangesAreReportedOnlyOnEdges() {
        h.out(IER, IER_ERBFI);
        h.uart.receive((byte) 1);
        h.uart.receive((byte) 2);   // overrun, still asserted: no second call
        h.in(IIR);
        h.in(RBR);
        assertEquals(List.of(true, false), h.irqEdges);
    }

    @Test
    void loopbackDataRaisesReceiveInterrupt() {
        h.out(MCR, MCR_LOOP);
        h.out(IER, IER_ERBFI);
        h.out(THR, 0x42);
        assertEquals(IIR_RDA, h.iirId());
        assertEquals(0x42, h.in(RBR));
        assertFalse(h.irq);
    }

    @Test
    void transmitInterruptDrivenOutputAsAGuestDriverDoesIt() {
        // The usual driver loop: on THRE, refill up to 16 bytes, then wait for the next THRE.
        h.enableFifos(FCR_TRIGGER_1);
        h.out(IER, IER_ETBEI);
        String message = "interrupt-driven output works\n";
        int next = 0;
        while (next < message.length()) {
            assertTrue(h.irq);
            assertEquals(IIR_THRE, h.iirId());
            for (int i = 0; i < FIFO_SIZE && next < message.length(); i++) h.out(THR, message.charAt(next++));
        }
        assertEquals(message, h.transmitted());
    }
}
