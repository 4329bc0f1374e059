package dev.vmm.core.devices;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The 8259 pair against the 8259A datasheet: the initialisation every PC kernel runs (ICW1-ICW4,
 * OCW1-3), fixed priority with the slave on IR2, edge and level triggering, the INTA cycle, EOI forms,
 * automatic EOI and the spurious IRQ 7.
 */
class Pic8259Test {
    final Pic8259 pic = new Pic8259();
    final PortIoBus bus = new PortIoBus();
    int intChanges;

    /** The PC BIOS/Linux initialisation: vectors 0x20/0x28, slave on IR2, 8086 mode (ICW4 bit 1 = AEOI). */
    private void init(int icw4) {
        pic.attach(bus);
        pic.setIntListener(() -> intChanges++);
        bus.out(0x20, 1, 0x11); bus.out(0xA0, 1, 0x11);
        bus.out(0x21, 1, 0x20); bus.out(0xA1, 1, 0x28);
        bus.out(0x21, 1, 0x04); bus.out(0xA1, 1, 0x02);
        bus.out(0x21, 1, icw4); bus.out(0xA1, 1, icw4);
    }

    /** A device's edge: the wire rises (and falls again, as the PIT's pulse does). */
    private void pulse(int irq) {
        pic.irq(irq).set(true);
        pic.irq(irq).set(false);
    }

    @Test
    void anUnmaskedEdgeRaisesIntAndIntaHandsOutItsVector() {
        init(0x01);
        assertFalse(pic.intr());
        pulse(0);
        assertTrue(pic.intr(), "ICW1 cleared the masks: IRQ 0 is requested");
        assertTrue(intChanges > 0, "the APICs were told");
        assertEquals(0x20, pic.inta());
        assertFalse(pic.intr(), "the edge is consumed and IRQ 0 is in service");
        bus.out(0x20, 1, 0x0B);
        assertEquals(0x01, bus.in(0x20, 1), "ISR bit 0");
        pulse(0);
        assertFalse(pic.intr(), "held while in service");
        bus.out(0x20, 1, 0x20); // non-specific EOI
        assertTrue(pic.intr(), "the second edge, latched meanwhile");
        assertEquals(0x20, pic.inta());
    }

    @Test
    void fixedPriorityMasksAndSpecificEoi() {
        init(0x01);
        bus.out(0x21, 1, 0xFC); // OCW1: IRQ 0 and 1 unmasked
        pulse(3);
        assertFalse(pic.intr(), "IRQ 3 is masked");
        pulse(1);
        pulse(0);
        assertEquals(0x20, pic.inta(), "IR0 before IR1");
        assertFalse(pic.intr(), "IR1 waits behind IR0 in service");
        bus.out(0x20, 1, 0x60); // specific EOI for IR0
        assertEquals(0x21, pic.inta());
        bus.out(0x21, 1, 0x00);
        assertFalse(pic.intr(), "IR3 is below IR1 in service");
        bus.out(0x20, 1, 0x20);
        assertEquals(0x23, pic.inta(), "IR3, latched while masked, once unmasked");
    }

    @Test
    void theSlaveCascadesThroughIr2() {
        init(0x01);
        pulse(12);
        assertTrue(pic.intr());
        assertEquals(0x2C, pic.inta(), "IRQ 12 = slave IR4 at the slave's base");
        bus.out(0xA0, 1, 0x0B);
        bus.out(0x20, 1, 0x0B);
        assertEquals(0x10, bus.in(0xA0, 1), "slave IR4 in service");
        assertEquals(0x04, bus.in(0x20, 1), "and the master's IR2");
        pulse(9);
        assertFalse(pic.intr(), "IR2 in service on the master holds every slave request");
        bus.out(0xA0, 1, 0x20);
        bus.out(0x20, 1, 0x20);
        assertEquals(0x29, pic.inta(), "IRQ 9 once both EOIs are in");
        pulse(1);
        bus.out(0xA0, 1, 0x20);
        bus.out(0x20, 1, 0x20);
        assertEquals(0x21, pic.inta());
    }

    @Test
    void levelTriggeredLinesFollowTheWire() {
        init(0x01);
        bus.out(0x4D1, 1, 0x08); // ELCR: IRQ 11 level-triggered
        pic.irq(11).set(true);
        assertEquals(0x2B, pic.inta());
        bus.out(0xA0, 1, 0x20);
        bus.out(0x20, 1, 0x20);
        assertTrue(pic.intr(), "still asserted after EOI: requested again");
        pic.irq(11).set(false);
        // the slave has nothing now, but the master latched the edge on IR2: the spurious IRQ 15, which
        // puts the master's IR2 in service and not the slave's IR7 (an OS sends the master alone an EOI)
        assertEquals(0x2F, pic.inta());
        bus.out(0x20, 1, 0x0B);
        bus.out(0xA0, 1, 0x0B);
        assertEquals(0x04, bus.in(0x20, 1));
        assertEquals(0x00, bus.in(0xA0, 1));
        bus.out(0x20, 1, 0x20);
        assertFalse(pic.intr(), "the device let go: no request");
    }

    @Test
    void aRequestThatWentAwayGivesTheSpuriousIrq7() {
        init(0x01);
        bus.out(0x4D0, 1, 0x20); // IRQ 5 level-triggered
        pic.irq(5).set(true);
        assertTrue(pic.intr());
        pic.irq(5).set(false);
        assertEquals(0x27, pic.inta(), "nothing to hand out: IR7's vector, not in service");
        bus.out(0x20, 1, 0x0B);
        assertEquals(0, bus.in(0x20, 1));
    }

    @Test
    void automaticEoiLeavesNothingInService() {
        init(0x03);
        pulse(0);
        assertEquals(0x20, pic.inta());
        bus.out(0x20, 1, 0x0B);
        assertEquals(0, bus.in(0x20, 1));
        pulse(0);
        assertEquals(0x20, pic.inta(), "no EOI needed");
    }

    @Test
    void remapAndMaskAsLinuxAndFreeBsdDo() {
        pic.attach(bus);
        bus.out(0x20, 1, 0x11); bus.out(0xA0, 1, 0x11);         // ICW1: edge, cascade, ICW4 needed
        bus.out(0x21, 1, 0x20); bus.out(0xA1, 1, 0x28);         // ICW2: vector bases 0x20, 0x28
        bus.out(0x21, 1, 0x04); bus.out(0xA1, 1, 0x02);         // ICW3: slave on IRQ 2
        bus.out(0x21, 1, 0x01); bus.out(0xA1, 1, 0x01);         // ICW4: 8086 mode
        bus.out(0x21, 1, 0xFF); bus.out(0xA1, 1, 0xFF);         // OCW1: mask everything
        assertEquals(0x20, pic.masterVectorBase());
        assertEquals(0x28, pic.slaveVectorBase());
        assertEquals(0xFF, bus.in(0x21, 1));
        assertEquals(0xFF, bus.in(0xA1, 1));
        pic.irq(4).set(true);
        assertEquals(0x10, bus.in(0x20, 1), "OCW3 default: IRR reads back");
        bus.out(0x20, 1, 0x0B); // OCW3: read ISR
        assertEquals(0, bus.in(0x20, 1));
        assertFalse(pic.intr(), "masked: no INT");
    }
}
