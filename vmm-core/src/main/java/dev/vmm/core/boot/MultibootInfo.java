package dev.vmm.core.boot;

import dev.vmm.mmu.PhysicalMemory;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Lays out and writes the Multiboot information structure and everything it points to.
 *
 * <pre>
 * info offset  field              flag bit   what we give
 *   0          flags                         the bits below
 *   4          mem_lower (KiB)     0         conventional memory: 639
 *   8          mem_upper (KiB)     0         RAM from 1 MiB to the first hole
 *  12          boot_device         1         not given
 *  16          cmdline             2         C string, when there is a command line
 *  20/24       mods_count/addr     3         always (count may be 0)
 *  44/48       mmap_length/addr    6         {@link MemoryMap}, entries of 24 bytes:
 *                                            size (=20), base_addr (u64), length (u64), type (u32);
 *                                            mmap_addr points at the first size field
 *  64          boot_loader_name    9         "vmm"
 * size 116; unused fields are zero
 *
 * module entry (16 bytes): mod_start, mod_end (exclusive), string, reserved (0)
 * </pre>
 *
 * <p>Placement, all above the kernel so nothing overlaps it: from the first page boundary after the
 * kernel, the info structure, the memory map, the loader name, the command line, the module list and the
 * module strings, each 8-byte aligned; then each module on its own page boundary (which honours header
 * flag bit 0 whether or not the kernel asked).
 */
final class MultibootInfo {
    static final int INFO_SIZE = 116;
    static final int FLAG_MEMORY = 1;
    static final int FLAG_CMDLINE = 1 << 2;
    static final int FLAG_MODS = 1 << 3;
    static final int FLAG_MMAP = 1 << 6;
    static final int FLAG_LOADER_NAME = 1 << 9;
    static final int MMAP_ENTRY_SIZE = 24;
    static final int MODULE_ENTRY_SIZE = 16;
    static final String LOADER_NAME = "vmm";
    private static final long PAGE = 4096;

    private final PhysicalMemory mem;
    private final List<MemoryMap.Entry> mmap;
    private final long guestRamEnd;
    private final byte[] cmdline; // null when absent
    private final List<BootModule> modules;
    private final byte[][] moduleStrings;

    // addresses, fixed by the constructor
    final long infoAddr;
    private final long mmapAddr, loaderNameAddr, cmdlineAddr, modListAddr;
    private final long[] moduleStringAddr, moduleAddr;
    /** One past the last byte used. */
    final long end;

    MultibootInfo(PhysicalMemory mem, long kernelEnd, String cmdline, List<BootModule> modules) {
        this(mem, kernelEnd, cmdline, modules, Long.MAX_VALUE);
    }

    /** @param guestRamEnd where the guest's low RAM ends (the rest is the hypervisor's, reported reserved) */
    MultibootInfo(PhysicalMemory mem, long kernelEnd, String cmdline, List<BootModule> modules, long guestRamEnd) {
        this.mem = mem;
        this.guestRamEnd = guestRamEnd;
        this.mmap = MemoryMap.of(mem, guestRamEnd);
        this.cmdline = cmdline == null || cmdline.isEmpty() ? null : cString(cmdline);
        this.modules = modules;
        this.moduleStrings = new byte[modules.size()][];
        for (int i = 0; i < modules.size(); i++) moduleStrings[i] = cString(modules.get(i).name());

        long at = alignUp(kernelEnd, PAGE);
        infoAddr = at;
        at = alignUp(at + INFO_SIZE, 8);
        mmapAddr = at;
        at = alignUp(at + (long) mmap.size() * MMAP_ENTRY_SIZE, 8);
        loaderNameAddr = at;
        at = alignUp(at + LOADER_NAME.length() + 1, 8);
        cmdlineAddr = at;
        if (this.cmdline != null) at = alignUp(at + this.cmdline.length, 8);
        modListAddr = at;
        at = alignUp(at + (long) modules.size() * MODULE_ENTRY_SIZE, 8);
        moduleStringAddr = new long[modules.size()];
        for (int i = 0; i < modules.size(); i++) {
            moduleStringAddr[i] = at;
            at = alignUp(at + moduleStrings[i].length, 8);
        }
        moduleAddr = new long[modules.size()];
        for (int i = 0; i < modules.size(); i++) {
            at = alignUp(at, PAGE);
            moduleAddr[i] = at;
            at += modules.get(i).bytes().length;
        }
        end = at;
    }

    /** Writes everything; the caller has checked that [infoAddr, end) is RAM the kernel does not use. */
    void write() {
        mem.zero(infoAddr, INFO_SIZE);
        int flags = FLAG_MEMORY | FLAG_MODS | FLAG_MMAP | FLAG_LOADER_NAME;
        long lowEnd = Math.min(MemoryMap.lowRamEnd(mem), guestRamEnd);
        mem.write32(infoAddr + 4, (int) (Math.min(MemoryMap.EBDA_BASE, lowEnd) >>> 10));
        mem.write32(infoAddr + 8, (int) (Math.max(0, lowEnd - MemoryMap.HIGH_MEMORY) >>> 10));
        if (cmdline != null) {
            flags |= FLAG_CMDLINE;
            mem.writeBytes(cmdlineAddr, cmdline);
            mem.write32(infoAddr + 16, (int) cmdlineAddr);
        }
        mem.write32(infoAddr + 20, modules.size());
        mem.write32(infoAddr + 24, modules.isEmpty() ? 0 : (int) modListAddr);
        for (int i = 0; i < modules.size(); i++) {
            byte[] bytes = modules.get(i).bytes();
            long e = modListAddr + (long) i * MODULE_ENTRY_SIZE;
            mem.writeBytes(moduleAddr[i], bytes);
            mem.writeBytes(moduleStringAddr[i], moduleStrings[i]);
            mem.write32(e, (int) moduleAddr[i]);
            mem.write32(e + 4, (int) (moduleAddr[i] + bytes.length));
            mem.write32(e + 8, (int) moduleStringAddr[i]);
            mem.write32(e + 12, 0);
        }
        for (int i = 0; i < mmap.size(); i++) {
            MemoryMap.Entry m = mmap.get(i);
            long e = mmapAddr + (long) i * MMAP_ENTRY_SIZE;
            mem.write32(e, MMAP_ENTRY_SIZE - 4);
            mem.write64(e + 4, m.base());
            mem.write64(e + 12, m.length());
            mem.write32(e + 20, m.type());
        }
        mem.write32(infoAddr + 44, mmap.size() * MMAP_ENTRY_SIZE);
        mem.write32(infoAddr + 48, (int) mmapAddr);
        mem.writeBytes(loaderNameAddr, cString(LOADER_NAME));
        mem.write32(infoAddr + 64, (int) loaderNameAddr);
        mem.write32(infoAddr, flags);
    }

    private static byte[] cString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] z = new byte[b.length + 1];
        System.arraycopy(b, 0, z, 0, b.length);
        return z;
    }

    static long alignUp(long v, long align) {
        return (v + align - 1) & -align;
    }
}
