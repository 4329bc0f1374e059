package dev.vmm.core.devices;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The 8259 pair through the initialisation every PC kernel runs (8259A datasheet: ICW1-ICW4, OCW1-3). */
class Pic8259Test {

    @Test
    void remapAndMaskAsLinuxAndFreeBsdDo() {
        Pic8259 pic = new Pic8259();
        PortIoBus bus = new PortIoBus();
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
    }
}
