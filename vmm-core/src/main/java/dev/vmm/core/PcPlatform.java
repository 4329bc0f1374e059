package dev.vmm.core;

import dev.vmm.core.acpi.AcpiTables;
import dev.vmm.core.acpi.PmDevice;
import dev.vmm.core.apic.ApicBus;
import dev.vmm.core.apic.IoApic;
import dev.vmm.core.apic.LocalApic;
import dev.vmm.core.devices.FwCfg;
import dev.vmm.core.devices.IrqLine;
import dev.vmm.core.devices.Pic8259;
import dev.vmm.core.devices.Pit8254;
import dev.vmm.core.devices.PortIoBus;
import dev.vmm.core.sched.VirtualClock;
import dev.vmm.cpu.Cpu;
import dev.vmm.mmu.PhysicalMemory;

import java.util.ArrayList;
import java.util.List;

/**
 * The multiprocessor half of a PC, what a chipset and firmware provide: a local APIC per vCPU on one
 * APIC bus, the IOAPIC with the ISA IRQs wired to it (IRQ 0 on pin 2, as the MADT's override says),
 * the 8259 pair, the 8254 PIT, the ACPI PM registers, QEMU's fw_cfg and the ACPI tables in the BIOS area.
 *
 * <pre>
 *   device --IrqLine--> IoApic pin --message--> ApicBus --> LocalApic (IRR) --pending()--> Cpu
 *   device --IrqLine--> Pic8259 (IRR) --INT--> LocalApic LINT0 (ExtINT) --pending()--> Cpu --INTA--> Pic8259
 *   Cpu --ICR--> LocalApic --IPI--> ApicBus --> LocalApic (fixed, lowest priority, NMI, INIT, SIPI)
 * </pre>
 */
public final class PcPlatform {

    private final ApicBus apicBus;
    private final IoApic ioapic;
    private final Pic8259 pic = new Pic8259();
    private final Pit8254 pit;
    private final VirtualClock clock;
    private final List<LocalApic> apics = new ArrayList<>();

    PcPlatform(PhysicalMemory mem, PortIoBus bus, List<Cpu> cpus, boolean hostClock, Runnable powerOff) {
        apicBus = new ApicBus(mem);
        clock = new VirtualClock(apicBus, hostClock);
        for (Cpu c : cpus) {
            c.packageCpus = cpus.size();
            apics.add(apicBus.attach(c, () -> VirtualClock.tsc(c)));
        }
        // The IOAPIC's 4-bit ID follows the CPUs' IDs when it can (IDs are per bus since the xAPIC, so 0 is legal too).
        int ioapicId = cpus.size() < 16 ? cpus.size() : 0;
        ioapic = new IoApic(apicBus, ioapicId);
        mem.addMmio(IoApic.DEFAULT_BASE, 0x1000, ioapic);
        pic.attach(bus);
        // the 8259s' INT goes to every local APIC's LINT0 (the BSP's is in ExtINT mode at power-on)
        pic.setIntListener(() -> { for (LocalApic a : apics) a.lint0Changed(); });
        for (LocalApic a : apics) a.connectLint0(pic);
        pit = new Pit8254(clock, isaIrq(0));
        pit.attach(bus);
        new PmDevice(clock, powerOff).attach(bus);
        new FwCfg(mem.size(), cpus.size()).attach(bus);
        AcpiTables.install(mem, cpus.size(), ApicBus.DEFAULT_BASE, ioapicId, IoApic.DEFAULT_BASE);
    }

    /** ISA IRQ {@code n}'s wire: to the 8259s and to the IOAPIC pin the MADT maps it to. */
    public IrqLine isaIrq(int n) {
        IrqLine toPic = pic.irq(n), toIoapic = ioapic.pin(n == 0 ? 2 : n);
        return level -> { toPic.set(level); toIoapic.set(level); };
    }

    /**
     * Whether a PIT tick (ISA IRQ 0) can interrupt a vCPU: its IOAPIC pin (2) is unmasked, or the
     * master 8259 lets IRQ 0 through and some local APIC's LINT0 takes the 8259s' INT. The scheduler
     * counts the PIT as a reason to wake a halted machine only then (else it stops it with a report).
     */
    public boolean irq0Routed() {
        if (!ioapic.masked(2)) return true;
        if ((pic.masterMask() & 1) != 0) return false;
        for (LocalApic a : apics) if (a.lint0Open()) return true;
        return false;
    }

    /** System reset of the chipset: local APICs, IOAPIC, 8259s and PIT as at power-on. */
    public void reset() {
        for (LocalApic a : apics) a.reset();
        ioapic.reset();
        pic.reset();
        pit.reset();
    }

    public ApicBus apicBus() { return apicBus; }

    public IoApic ioapic() { return ioapic; }

    public Pic8259 pic() { return pic; }

    public Pit8254 pit() { return pit; }

    public VirtualClock clock() { return clock; }

    public List<LocalApic> apics() { return List.copyOf(apics); }
}
