package dev.vmm.core.acpi;

import dev.vmm.mmu.PhysicalMemory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The ACPI tables firmware leaves in memory (ACPI 6.5, chapter 5): an RSDP in the BIOS area
 * (0xE0000-0xFFFFF, 16-byte aligned, where the OS searches for it), an RSDT and an XSDT, a MADT with one
 * Processor Local APIC entry per vCPU, the IOAPIC, the ISA interrupt source overrides (IRQ 0 on GSI 2,
 * the SCI on GSI 9 level/high) and the LINT1 NMI, and a FADT whose PM1a control block ({@link PmDevice})
 * gives the S5 (soft-off) path, with a DSDT holding the {@code \_S5} package and a FACS.
 *
 * <p>Everything lives in 0xF0000-0xF0FFF, which the Multiboot memory map already reports reserved.
 */
public final class AcpiTables {
    public static final long RSDP = 0xF0000, RSDT = 0xF0040, XSDT = 0xF0080, FADT = 0xF0100, FACS = 0xF0200;
    public static final long DSDT = 0xF0240, MADT = 0xF0400;
    public static final String OEM_ID = "VMM   ";
    /** SLP_TYP of \_S5 (written to PM1a_CNT with SLP_EN to power off). */
    public static final int S5_SLP_TYP = 5;
    public static final int SCI_IRQ = 9;

    private AcpiTables() { }

    /**
     * Writes the tables for {@code cpus} processors (APIC IDs 0..cpus-1).
     *
     * @param lapicBase  the local APIC address the MADT reports
     * @param ioapicBase the IOAPIC's address; its ID is {@code ioapicId} and its GSI base 0
     */
    public static void install(PhysicalMemory mem, int cpus, long lapicBase, int ioapicId, long ioapicBase) {
        byte[] madt = madt(cpus, lapicBase, ioapicId, ioapicBase);
        if (MADT + madt.length > 0xF1000) throw new IllegalArgumentException("MADT too large for " + cpus + " CPUs");
        mem.writeBytes(MADT, madt);
        mem.writeBytes(DSDT, dsdt());
        mem.writeBytes(FACS, facs());
        mem.writeBytes(FADT, fadt());
        mem.writeBytes(RSDT, rsdt());
        mem.writeBytes(XSDT, xsdt());
        mem.writeBytes(RSDP, rsdp());
    }

    private static ByteBuffer table(String sig, int length, int revision) {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(sig.getBytes(StandardCharsets.US_ASCII)).putInt(length).put((byte) revision).put((byte) 0);
        b.put(OEM_ID.getBytes(StandardCharsets.US_ASCII)).put("VMMTABLE".getBytes(StandardCharsets.US_ASCII));
        b.putInt(1).put("VMM ".getBytes(StandardCharsets.US_ASCII)).putInt(1);
        return b;
    }

    /** Sets byte {@code at} so that bytes [0, len) sum to zero modulo 256. */
    private static byte[] checksum(byte[] t, int at, int len) {
        int sum = 0;
        for (int i = 0; i < len; i++) if (i != at) sum += t[i];
        t[at] = (byte) -sum;
        return t;
    }

    private static byte[] done(ByteBuffer b) { return checksum(b.array(), 9, b.capacity()); }

    static byte[] rsdp() {
        ByteBuffer b = ByteBuffer.allocate(36).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RSD PTR ".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).put(OEM_ID.getBytes(StandardCharsets.US_ASCII));
        b.put((byte) 2).putInt((int) RSDT).putInt(36).putLong(XSDT).put((byte) 0);
        byte[] t = checksum(b.array(), 8, 20);
        return checksum(t, 32, 36);
    }

    static byte[] rsdt() {
        ByteBuffer b = table("RSDT", 36 + 8, 1);
        b.putInt((int) FADT).putInt((int) MADT);
        return done(b);
    }

    static byte[] xsdt() {
        ByteBuffer b = table("XSDT", 36 + 16, 1);
        b.putLong(FADT).putLong(MADT);
        return done(b);
    }

    static byte[] madt(int cpus, long lapicBase, int ioapicId, long ioapicBase) {
        int len = 44 + 8 * cpus + 12 + 10 * 2 + 6;
        ByteBuffer b = table("APIC", len, 5);
        b.putInt((int) lapicBase).putInt(1); // PCAT_COMPAT: dual 8259s present
        for (int i = 0; i < cpus; i++) {
            b.put((byte) 0).put((byte) 8).put((byte) i).put((byte) i).putInt(1); // Processor Local APIC, enabled
        }
        b.put((byte) 1).put((byte) 12).put((byte) ioapicId).put((byte) 0).putInt((int) ioapicBase).putInt(0);
        b.put((byte) 2).put((byte) 10).put((byte) 0).put((byte) 0).putInt(2).putShort((short) 0); // IRQ0 -> GSI 2
        b.put((byte) 2).put((byte) 10).put((byte) 0).put((byte) SCI_IRQ).putInt(SCI_IRQ).putShort((short) 0xD); // level, high
        b.put((byte) 4).put((byte) 6).put((byte) 0xFF).putShort((short) 0).put((byte) 1); // NMI on LINT1, all CPUs
        return done(b);
    }

    static byte[] fadt() {
        ByteBuffer b = table("FACP", 244, 3);
        b.putInt(36, (int) FACS).putInt(40, (int) DSDT);
        b.putShort(46, (short) SCI_IRQ); // SMI_CMD stays 0: the machine is always in ACPI mode
        b.putInt(56, PmDevice.PM1A_EVT).putInt(64, PmDevice.PM1A_CNT).putInt(76, PmDevice.PM_TMR);
        b.put(88, (byte) 4).put(89, (byte) 2).put(91, (byte) 4);
        b.putShort(109, (short) 0x3); // IAPC_BOOT_ARCH: legacy devices, 8042
        b.putInt(112, 1 | (1 << 4) | (1 << 8)); // WBINVD, PWR_BUTTON (control method), TMR_VAL_EXT (32-bit)
        b.putLong(132, FACS).putLong(140, DSDT);
        gas(b, 148, PmDevice.PM1A_EVT, 32);
        gas(b, 172, PmDevice.PM1A_CNT, 16);
        gas(b, 208, PmDevice.PM_TMR, 32);
        return done(b);
    }

    /** A Generic Address Structure for a system I/O register. */
    private static void gas(ByteBuffer b, int at, int port, int bits) {
        b.put(at, (byte) 1).put(at + 1, (byte) bits).put(at + 2, (byte) 0).put(at + 3, (byte) (bits / 8 == 4 ? 3 : 2));
        b.putLong(at + 4, port);
    }

    static byte[] facs() {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.put("FACS".getBytes(StandardCharsets.US_ASCII)).putInt(64);
        b.put(32, (byte) 2); // version
        return b.array();
    }

    /** DefinitionBlock with one object: Name (_S5, Package () { 5, 5, 0, 0 }). */
    static byte[] dsdt() {
        byte[] aml = {0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0A, S5_SLP_TYP, 0x0A, S5_SLP_TYP, 0x00, 0x00};
        ByteBuffer b = table("DSDT", 36 + aml.length, 2);
        b.put(aml);
        return done(b);
    }
}
