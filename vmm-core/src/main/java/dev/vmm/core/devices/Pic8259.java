package dev.vmm.core.devices;

/**
 * The two cascaded 8259A interrupt controllers of a PC (master 0x20/0x21, slave 0xA0/0xA1, and the
 * edge/level control registers 0x4D0/0x4D1), present so kernels can do what they always do on an APIC
 * machine: run the ICW1-ICW4 initialisation to move the vectors out of the exception range, mask every
 * line with OCW1, and send EOIs. The registers read back as on the part (IMR, IRR/ISR through OCW3).
 *
 * <p>Interrupts themselves reach the vCPUs through the IOAPIC; the 8259s record requests in IRR but do
 * not drive the local APIC's LINT0 (no ExtINT delivery), which is the state every SMP kernel puts them in.
 */
public final class Pic8259 implements PortDevice {
    private final Chip master = new Chip(), slave = new Chip();
    private int elcr0, elcr1;

    private static final class Chip {
        int imr = 0xFF, irr, isr, vectorBase, icwStep, icw4Needed;
        boolean readIsr, autoEoi;
    }

    public void attach(PortIoBus bus) {
        bus.register(0x20, 2, this);
        bus.register(0xA0, 2, this);
        bus.register(0x4D0, 2, this);
    }

    /** ISA IRQ 0-15 as a wire: records the request (IRR) for the registers' sake. */
    public IrqLine irq(int n) {
        return level -> {
            synchronized (this) {
                Chip c = n < 8 ? master : slave;
                if (level) c.irr |= 1 << (n & 7); else c.irr &= ~(1 << (n & 7));
            }
        };
    }

    public synchronized int masterMask() { return master.imr; }

    public synchronized int slaveMask() { return slave.imr; }

    public synchronized int masterVectorBase() { return master.vectorBase; }

    public synchronized int slaveVectorBase() { return slave.vectorBase; }

    @Override
    public synchronized int in(int port, int size) {
        if (port == 0x4D0) return elcr0;
        if (port == 0x4D1) return elcr1;
        Chip c = port < 0xA0 ? master : slave;
        if ((port & 1) == 1) return c.imr;
        return c.readIsr ? c.isr : c.irr;
    }

    @Override
    public synchronized void out(int port, int size, int value) {
        value &= 0xFF;
        if (port == 0x4D0) { elcr0 = value & 0xF8; return; }
        if (port == 0x4D1) { elcr1 = value & 0xDE; return; }
        Chip c = port < 0xA0 ? master : slave;
        if ((port & 1) == 0) {
            if ((value & 0x10) != 0) { // ICW1: start initialisation
                c.icwStep = 2; c.icw4Needed = value & 1; c.imr = 0; c.isr = 0; c.irr = 0; c.readIsr = false;
            } else if ((value & 0x18) == 0) { // OCW2: EOI forms
                if ((value & 0x20) != 0) {
                    if ((value & 0x40) != 0) c.isr &= ~(1 << (value & 7));
                    else c.isr &= ~Integer.lowestOneBit(c.isr); // the highest priority in service is the lowest bit
                }
            } else if ((value & 0x18) == 0x08) { // OCW3
                if ((value & 2) != 0) c.readIsr = (value & 1) != 0;
            }
            return;
        }
        switch (c.icwStep) {
            case 2 -> { c.vectorBase = value & 0xF8; c.icwStep = 3; }
            case 3 -> c.icwStep = c.icw4Needed != 0 ? 4 : 0;
            case 4 -> { c.autoEoi = (value & 2) != 0; c.icwStep = 0; }
            default -> c.imr = value;
        }
    }
}
