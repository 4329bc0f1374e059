package dev.vmm.core;

import dev.vmm.core.apic.IoApic;
import dev.vmm.core.apic.LocalApic;
import dev.vmm.core.devices.Uart16550;
import dev.vmm.mmu.PhysicalMemory;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The wiring between devices and CPUs: COM1's IRQ 4 reaches a local APIC through the IOAPIC. */
class PcPlatformTest {

    @Test
    void com1InterruptTravelsThroughTheIoapicToTheChosenCpu() {
        try (Machine m = new Machine(new MachineConfig(16L << 20, "", List.of(), 2), null, null)) {
            PhysicalMemory mem = m.memory();
            LocalApic cpu1 = m.platform().apicBus().apic(1);
            cpu1.writeRegister(0xF0, 0x1FF);
            mem.write32(IoApic.DEFAULT_BASE, 0x10 + 2 * 4); // redirection entry of pin 4: vector 0x34 -> APIC ID 1
            mem.write32(IoApic.DEFAULT_BASE + 0x10, 0x34);
            mem.write32(IoApic.DEFAULT_BASE, 0x11 + 2 * 4);
            mem.write32(IoApic.DEFAULT_BASE + 0x10, 1 << 24);
            Uart16550 com1 = m.serialPorts().get(0);
            assertFalse(cpu1.pending());
            com1.out(0x3F9, 1, 0x02); // IER: transmitter-empty interrupt; THR is empty, so IRQ 4 rises
            assertTrue(com1.irqAsserted());
            assertTrue(cpu1.pending());
            assertEquals(0x34, cpu1.acknowledge());
            assertFalse(m.platform().apicBus().apic(0).pending());
        }
    }

    @Test
    void haltWithNothingToWakeAnyVcpuStopsTheMachine() throws Exception {
        // sti ; hlt: interrupts on, but no timer armed, every IOAPIC pin masked and no host input
        try (Machine m = new Machine(new MachineConfig(16L << 20, "", List.of(), 3), null, null)) {
            m.loadMultiboot("t", MachineBootTest.flatKernel(MachineBootTest.bytes("FB F4"), new byte[0]));
            ExitStatus s = m.run();
            assertEquals(ExitStatus.Kind.HALTED, s.kind());
            assertTrue(s.report().contains("all 3 vCPUs halted") && s.report().contains("waiting for an interrupt"), s.report());
        }
    }
}
