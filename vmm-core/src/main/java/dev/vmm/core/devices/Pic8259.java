package dev.vmm.core.devices;

import dev.vmm.core.apic.ExtIntSource;

/**
 * The two cascaded 8259A interrupt controllers of a PC (master 0x20/0x21, slave 0xA0/0xA1 on the
 * master's IR2, and the edge/level control registers 0x4D0/0x4D1), as the 8259A datasheet describes
 * them in the modes PC software uses: ICW1-ICW4 initialisation, masks (OCW1), non-specific and
 * specific EOI (OCW2), IRR/ISR read back (OCW3), automatic EOI, fixed priority (IR0 highest, the
 * slave's eight between the master's IR1 and IR3), edge-triggered inputs (a rising edge sets IRR, which
 * the INTA cycle clears) or level-triggered ones per ELCR.
 *
 * <p>The master's INT output is the wire to every local APIC's LINT0 ({@link ExtIntSource}): a kernel
 * that programs the 8259s and not the APIC gets its interrupts through LINT0 in ExtINT mode, the
 * "virtual wire" the BIOS leaves on the bootstrap processor (or directly when the APIC is disabled),
 * and the INTA cycle ({@link #inta()}) hands out the vector. SMP kernels mask every line with OCW1 and
 * use the IOAPIC, which sees the same ISA wires. Not modelled: rotating and special-mask priority
 * modes, the poll command, special fully nested mode, buffered mode (PCs use none of them).
 */
public final class Pic8259 implements PortDevice, ExtIntSource {
    private final Chip master = new Chip(), slave = new Chip();
    private Runnable intChanged = () -> { };

    private static final class Chip {
        int imr = 0xFF, irr, isr, lines, elcr, vectorBase, icwStep, icw4Needed;
        boolean readIsr, autoEoi;

        /** The highest-priority unmasked request above everything in service, or -1 (fixed priority: IR0 first). */
        int pending() {
            int req = irr & ~imr;
            if (req == 0) return -1;
            int irq = Integer.numberOfTrailingZeros(req);
            int inService = isr == 0 ? 8 : Integer.numberOfTrailingZeros(isr);
            return irq < inService ? irq : -1;
        }

        /** An input wire changes: edge mode latches a rising edge in IRR, level mode follows the wire. */
        void line(int irq, boolean level) {
            int bit = 1 << irq;
            if ((elcr & bit) != 0) {
                if (level) irr |= bit; else irr &= ~bit;
            } else if (level && (lines & bit) == 0) {
                irr |= bit;
            }
            lines = level ? lines | bit : lines & ~bit;
        }

        /** The INTA cycle for {@code irq}: in service (unless automatic EOI), and an edge request is consumed. */
        void acknowledge(int irq) {
            int bit = 1 << irq;
            if (!autoEoi) isr |= bit;
            if ((elcr & bit) == 0) irr &= ~bit;
        }
    }

    public void attach(PortIoBus bus) {
        bus.register(0x20, 2, this);
        bus.register(0xA0, 2, this);
        bus.register(0x4D0, 2, this);
    }

    /** System reset: both chips as at power-on (not initialised, every line masked); the wires stay as they are. */
    public void reset() {
        synchronized (this) {
            for (Chip c : new Chip[] {master, slave}) {
                c.imr = 0xFF; c.irr = 0; c.isr = 0; c.elcr = 0; c.vectorBase = 0; c.icwStep = 0; c.icw4Needed = 0;
                c.readIsr = false; c.autoEoi = false;
            }
        }
        intChanged.run();
    }

    /** Who is told when the master's INT output may have changed (the local APICs' LINT0). */
    public void setIntListener(Runnable r) { intChanged = r == null ? () -> { } : r; }

    /** ISA IRQ 0-15 as a wire into the 8259s. */
    public IrqLine irq(int n) {
        return level -> {
            synchronized (this) {
                if (n < 8) master.line(n, level); else slave.line(n - 8, level);
                cascade();
            }
            intChanged.run();
        };
    }

    /** The slave's INT output is the master's IR2. */
    private void cascade() { master.line(2, slave.pending() >= 0); }

    @Override
    public synchronized boolean intr() { return master.pending() >= 0; }

    @Override
    public int inta() {
        int vector;
        synchronized (this) {
            int irq = master.pending();
            if (irq < 0) {
                vector = master.vectorBase + 7; // the request went away before INTA: spurious IRQ 7
            } else {
                master.acknowledge(irq);
                if (irq != 2) {
                    vector = master.vectorBase + irq;
                } else {
                    int irq2 = slave.pending();
                    if (irq2 < 0) {
                        vector = slave.vectorBase + 7; // spurious IRQ 15
                    } else {
                        slave.acknowledge(irq2);
                        vector = slave.vectorBase + irq2;
                    }
                    cascade();
                }
            }
        }
        intChanged.run();
        return vector;
    }

    /** IMR, IRR and ISR of the master (0) or the slave (1), for the monitor's {@code info irq}. */
    public synchronized int[] registers(int chip) {
        Chip c = chip == 0 ? master : slave;
        return new int[] {c.imr, c.irr, c.isr};
    }

    public synchronized int masterMask() { return master.imr; }

    public synchronized int slaveMask() { return slave.imr; }

    public synchronized int masterVectorBase() { return master.vectorBase; }

    public synchronized int slaveVectorBase() { return slave.vectorBase; }

    @Override
    public synchronized int in(int port, int size) {
        if (port == 0x4D0) return master.elcr;
        if (port == 0x4D1) return slave.elcr;
        Chip c = port < 0xA0 ? master : slave;
        if ((port & 1) == 1) return c.imr;
        return c.readIsr ? c.isr : c.irr;
    }

    @Override
    public void out(int port, int size, int value) {
        synchronized (this) {
            write(port, value & 0xFF);
            cascade();
        }
        intChanged.run();
    }

    private void write(int port, int value) {
        if (port == 0x4D0) { master.elcr = value & 0xF8; return; } // IRQ 0-2 are edge-triggered on a PC
        if (port == 0x4D1) { slave.elcr = value & 0xDE; return; }  // as are IRQ 8 and 13
        Chip c = port < 0xA0 ? master : slave;
        if ((port & 1) == 0) {
            if ((value & 0x10) != 0) { // ICW1: start initialisation; masks, requests and service cleared
                c.icwStep = 2; c.icw4Needed = value & 1; c.imr = 0; c.isr = 0; c.irr = c.lines & c.elcr;
                c.readIsr = false; c.autoEoi = false;
            } else if ((value & 0x18) == 0) { // OCW2: the EOI forms (rotation and priority setting are not modelled)
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
