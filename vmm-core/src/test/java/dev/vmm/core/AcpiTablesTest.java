package dev.vmm.core;

import dev.vmm.core.acpi.AcpiTables;
import dev.vmm.images.ImageCatalog;
import dev.vmm.mmu.PhysicalMemory;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The firmware tables as an OS finds them (ACPI 6.5 5.2.5.1: RSDP search; 5.2.12: MADT). */
class AcpiTablesTest {

    private static String sig(PhysicalMemory m, long a, int n) {
        byte[] b = new byte[n];
        m.readBytes(a, b, 0, n);
        return new String(b, StandardCharsets.US_ASCII);
    }

    private static int sum(PhysicalMemory m, long a, int n) {
        int s = 0;
        for (int i = 0; i < n; i++) s += m.read8(a + i);
        return s & 0xFF;
    }

    @Test
    void rsdpXsdtMadtAndFadtAreWhereAnOsLooks() throws Exception {
        try (Machine machine = new Machine(new MachineConfig(64L << 20, "", List.of(), 6), null, null)) {
            machine.loadMultiboot("smp", ImageCatalog.find("smp").orElseThrow());
            PhysicalMemory m = machine.memory();
            long rsdp = -1;
            for (long a = 0xE0000; a < 0x100000; a += 16) {
                if (sig(m, a, 8).equals("RSD PTR ") && sum(m, a, 20) == 0) { rsdp = a; break; }
            }
            assertNotEquals(-1, rsdp, "RSDP in the BIOS area");
            assertEquals(0, sum(m, rsdp, 36), "extended checksum");
            long xsdt = m.read64(rsdp + 24);
            assertEquals("XSDT", sig(m, xsdt, 4));
            int len = m.read32(xsdt + 4);
            assertEquals(0, sum(m, xsdt, len));
            List<String> tables = new ArrayList<>();
            long madt = 0, fadt = 0;
            for (long e = xsdt + 36; e < xsdt + len; e += 8) {
                long t = m.read64(e);
                String s = sig(m, t, 4);
                tables.add(s);
                assertEquals(0, sum(m, t, m.read32(t + 4)), s + " checksum");
                if (s.equals("APIC")) madt = t;
                if (s.equals("FACP")) fadt = t;
            }
            assertEquals(List.of("FACP", "APIC"), tables);
            List<Integer> apicIds = new ArrayList<>();
            long ioapic = 0;
            int overrides = 0;
            for (long p = madt + 44; p < madt + m.read32(madt + 4); p += m.read8(p + 1)) {
                switch (m.read8(p)) {
                    case 0 -> { if ((m.read32(p + 4) & 1) != 0) apicIds.add(m.read8(p + 3)); }
                    case 1 -> ioapic = m.read32(p + 4) & 0xFFFF_FFFFL;
                    case 2 -> overrides++;
                    default -> { }
                }
            }
            assertEquals(List.of(0, 1, 2, 3, 4, 5), apicIds);
            assertEquals(0xFEC0_0000L, ioapic);
            assertEquals(2, overrides);
            assertEquals("DSDT", sig(m, m.read32(fadt + 40), 4));
            assertEquals(0x604, m.read32(fadt + 64), "PM1a_CNT_BLK");
            // the Multiboot map reports the tables' area reserved: it is not listed as available
            assertTrue(AcpiTables.RSDP >= 0xF0000 && AcpiTables.MADT < 0x100000);
        }
    }

    @Test
    void enteringS5ThroughPm1aControlPowersOff() throws Exception {
        // mov dx, 0x604 ; mov ax, (5 << 10) | (1 << 13) ; out dx, ax ; hlt
        byte[] code = dev.vmm.core.MachineBootTest.bytes("66 BA 04 06  66 B8 00 34  66 EF  F4");
        try (Machine machine = new Machine(MachineConfig.defaults(), null, null)) {
            machine.loadMultiboot("t", dev.vmm.core.MachineBootTest.flatKernel(code, new byte[0]));
            ExitStatus s = machine.run();
            assertEquals(ExitStatus.Kind.ACPI_SHUTDOWN, s.kind());
            assertEquals(0, s.exitCode());
        }
    }
}
