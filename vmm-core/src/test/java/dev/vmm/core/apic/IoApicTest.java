package dev.vmm.core.apic;

import dev.vmm.core.devices.IrqLine;
import dev.vmm.cpu.Cpu;
import dev.vmm.mmu.PhysicalMemory;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The IOAPIC through its register window, as a kernel programs it (82093AA datasheet). */
class IoApicTest {

    private static void writeEntry(PhysicalMemory mem, int pin, long entry) {
        long base = IoApic.DEFAULT_BASE;
        mem.write32(base, 0x10 + 2 * pin);
        mem.write32(base + 0x10, (int) entry);
        mem.write32(base, 0x11 + 2 * pin);
        mem.write32(base + 0x10, (int) (entry >>> 32));
    }

    @Test
    void edgeAndLevelEntriesDeliverToTheirDestination() {
        PhysicalMemory mem = new PhysicalMemory(2 << 20);
        ApicBus bus = new ApicBus(mem);
        LocalApic[] apics = new LocalApic[2];
        for (int i = 0; i < 2; i++) {
            apics[i] = bus.attach(new Cpu(i, mem, LocalApicTest.NO_PORTS), () -> 0);
            apics[i].writeRegister(0xF0, 0x1FF);
        }
        IoApic io = new IoApic(bus, 2);
        mem.addMmio(IoApic.DEFAULT_BASE, 0x1000, io);
        mem.write32(IoApic.DEFAULT_BASE, 1);
        assertEquals(0x17_0011, mem.read32(IoApic.DEFAULT_BASE + 0x10), "24 pins, version 0x11");
        IrqLine com1 = io.pin(4);
        com1.set(true);
        assertFalse(apics[0].pending() || apics[1].pending(), "masked at reset");
        com1.set(false);
        writeEntry(mem, 4, 0x24L | (1L << 56)); // edge, fixed, physical destination 1
        com1.set(true);
        assertTrue(apics[1].pending());
        assertFalse(apics[0].pending());
        assertEquals(0x24, apics[1].acknowledge());
        apics[1].writeRegister(0xB0, 0);
        // level triggered: Remote IRR holds further messages until the EOI, then a still-high line resends
        com1.set(false);
        writeEntry(mem, 4, 0x25L | IoApic.LEVEL | (1L << 56));
        com1.set(true);
        assertEquals(0x25, apics[1].acknowledge());
        assertNotEquals(0, io.redirectionEntry(4) & IoApic.REMOTE_IRR);
        com1.set(true);
        assertFalse(apics[1].pending(), "Remote IRR set: no second message");
        apics[1].writeRegister(0xB0, 0);
        assertTrue(apics[1].pending(), "EOI cleared Remote IRR and the line is still high");
        assertEquals(3, io.messagesSent());
    }
}
