package dev.vmm.core.boot;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the load layout of an ELF32 or ELF64 kernel: its PT_LOAD segments, placed by physical address
 * (p_paddr) as Multiboot loaders do, and its entry point.
 *
 * <pre>
 *                 ELF32  ELF64          program header  ELF32  ELF64
 * e_type           16     16            p_type            0      0
 * e_machine        18     18            p_offset          4      8
 * e_entry          24     24            p_vaddr           8     16
 * e_phoff          28     32            p_paddr          12     24
 * e_phentsize      42     54            p_filesz         16     32
 * e_phnum          44     56            p_memsz          20     40
 * header size      52     64            entry size       32     56
 * </pre>
 *
 * <p>The kernel starts in 32-bit protected mode whatever its ELF class, so an ELF64 kernel's entry and
 * segments must lie below 4 GiB. e_entry is a virtual address; when it falls inside a segment whose
 * p_vaddr differs from p_paddr (a kernel linked high, loaded low) it is moved by the same offset, as
 * GRUB does; for the usual identity-linked kernel it is used as is.
 */
final class ElfKernel {
    private static final int EI_CLASS = 4, EI_DATA = 5;
    private static final int ELFCLASS32 = 1, ELFCLASS64 = 2, ELFDATA2LSB = 1;
    private static final int ET_EXEC = 2;
    private static final int EM_386 = 3, EM_X86_64 = 62;
    private static final int PT_LOAD = 1;
    private static final int PN_XNUM = 0xFFFF;
    private static final long LIMIT_4G = 1L << 32;

    private ElfKernel() { }

    static boolean isElf(ImageReader r) {
        byte[] b = r.bytes();
        return b.length >= 4 && b[0] == 0x7F && b[1] == 'E' && b[2] == 'L' && b[3] == 'F';
    }

    static KernelLayout layout(ImageReader r) throws ImageException {
        int elfClass = r.u8(EI_CLASS, "ELF header");
        if (elfClass != ELFCLASS32 && elfClass != ELFCLASS64) throw r.fail("unknown ELF class " + elfClass);
        boolean is64 = elfClass == ELFCLASS64;
        r.require(0, is64 ? 64 : 52, "ELF header");
        if (r.u8(EI_DATA, "ELF header") != ELFDATA2LSB) throw r.fail("ELF file is not little endian");
        int type = r.u16(16, "ELF header");
        if (type != ET_EXEC) throw r.fail("ELF file is not an executable (e_type " + type + ")");
        int machine = r.u16(18, "ELF header");
        if (machine != EM_386 && machine != EM_X86_64) throw r.fail("ELF file is not for x86 (e_machine " + machine + ")");

        long entry = is64 ? r.u64(24, "ELF header") : r.u32(24, "ELF header");
        long phoff = is64 ? r.u64(32, "ELF header") : r.u32(28, "ELF header");
        int phentsize = r.u16(is64 ? 54 : 42, "ELF header");
        int phnum = r.u16(is64 ? 56 : 44, "ELF header");
        int minEntSize = is64 ? 56 : 32;
        if (phnum == PN_XNUM) throw r.fail("ELF file has too many program headers (extended numbering)");
        if (phnum == 0) throw r.fail("ELF file has no program headers");
        if (phentsize < minEntSize) throw r.fail("ELF program header size " + phentsize + " is too small");
        r.require(phoff, (long) phnum * phentsize, "ELF program headers");

        List<KernelLayout.Segment> segments = new ArrayList<>();
        List<Long> vaddrs = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            long ph = phoff + (long) i * phentsize;
            if (r.u32(ph, "ELF program headers") != PT_LOAD) continue;
            long offset = is64 ? r.u64(ph + 8, "ELF program headers") : r.u32(ph + 4, "ELF program headers");
            long vaddr = is64 ? r.u64(ph + 16, "ELF program headers") : r.u32(ph + 8, "ELF program headers");
            long paddr = is64 ? r.u64(ph + 24, "ELF program headers") : r.u32(ph + 12, "ELF program headers");
            long filesz = is64 ? r.u64(ph + 32, "ELF program headers") : r.u32(ph + 16, "ELF program headers");
            long memsz = is64 ? r.u64(ph + 40, "ELF program headers") : r.u32(ph + 20, "ELF program headers");
            if (memsz == 0) continue;
            if (Long.compareUnsigned(filesz, memsz) > 0) {
                throw r.fail(String.format("ELF segment %d has p_filesz %#x above p_memsz %#x", i, filesz, memsz));
            }
            if (Long.compareUnsigned(paddr, LIMIT_4G) >= 0 || Long.compareUnsigned(memsz, LIMIT_4G - paddr) > 0) {
                throw r.fail(String.format("ELF segment %d at %#x (%#x bytes) does not fit below 4 GiB, where a"
                        + " 32-bit protected-mode entry can reach it", i, paddr, memsz));
            }
            r.require(offset, filesz, "ELF segment " + i);
            segments.add(new KernelLayout.Segment(paddr, (int) offset, (int) filesz, memsz));
            vaddrs.add(vaddr);
        }
        if (segments.isEmpty()) throw r.fail("ELF file has no PT_LOAD segments");
        checkNoOverlap(r, segments);
        long physEntry = translateEntry(entry, segments, vaddrs);
        if (Long.compareUnsigned(physEntry, LIMIT_4G) >= 0) {
            throw r.fail(String.format("ELF entry point %#x is above 4 GiB: the kernel is entered in 32-bit"
                    + " protected mode", physEntry));
        }
        boolean inside = false;
        for (KernelLayout.Segment s : segments) {
            if (physEntry >= s.paddr() && physEntry < s.paddr() + s.fileSize()) inside = true;
        }
        if (!inside) throw r.fail(String.format("entry point %#x is outside the loaded image", physEntry));
        return new KernelLayout(List.copyOf(segments), physEntry);
    }

    private static long translateEntry(long entry, List<KernelLayout.Segment> segments, List<Long> vaddrs) {
        for (int i = 0; i < segments.size(); i++) {
            KernelLayout.Segment s = segments.get(i);
            long v = vaddrs.get(i);
            if (Long.compareUnsigned(entry, v) >= 0 && Long.compareUnsigned(entry - v, s.memSize()) < 0) {
                return s.paddr() + (entry - v);
            }
        }
        return entry;
    }

    private static void checkNoOverlap(ImageReader r, List<KernelLayout.Segment> segments) throws ImageException {
        for (int i = 0; i < segments.size(); i++) {
            for (int j = i + 1; j < segments.size(); j++) {
                KernelLayout.Segment a = segments.get(i), b = segments.get(j);
                if (a.paddr() < b.end() && b.paddr() < a.end()) {
                    throw r.fail(String.format("ELF segments overlap in physical memory: %#x-%#x and %#x-%#x",
                            a.paddr(), a.end() - 1, b.paddr(), b.end() - 1));
                }
            }
        }
    }
}
