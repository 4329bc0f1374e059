package dev.vmm.core.boot;

import dev.vmm.mmu.PhysicalMemory;

import java.util.List;
import java.util.Objects;

/**
 * Loads a Multiboot v1 kernel (a.out kludge, ELF32 or ELF64) and its modules into guest RAM and builds
 * the Multiboot information structure, as GRUB or QEMU's {@code -kernel} would.
 *
 * <p>Steps: find the header ({@link MultibootHeader}); take the layout from the a.out kludge fields when
 * flags bit 16 is set, else from the ELF program headers ({@link ElfKernel}); check the layout against
 * RAM; copy the file bytes and zero the bss; write the information structure, memory map, command line
 * and modules above the kernel ({@link MultibootInfo}).
 *
 * <p>Where a kernel may go: at or above 1 MiB (below is firmware territory: conventional memory, EBDA,
 * VGA, BIOS) and entirely below the end of low RAM ({@code min(RAM, 3 GiB)}), which also keeps it off
 * the APICs and the BIOS flash. Everything is checked before the first byte is written, so a refused
 * image leaves RAM untouched.
 *
 * <p>Every refusal is an {@link ImageException} with a one-line message naming the image; malformed
 * input never escapes as another exception type.
 *
 * <p>The machine state the Multiboot specification requires at entry, which the integrator sets on the
 * boot vCPU from the returned {@link BootImage}:
 * <ul>
 *   <li>EAX = {@link #BOOTLOADER_MAGIC} (0x2BADB002), EBX = {@link BootImage#infoAddr()},
 *       EIP = {@link BootImage#entry()}; other general registers undefined (clear them, for deterministic runs);</li>
 *   <li>CS: 32-bit read/execute code segment, base 0, limit 0xFFFFFFFF; DS, ES, FS, GS, SS: read/write
 *       data segments, base 0, limit 0xFFFFFFFF (the descriptor caches matter, not the selector values:
 *       the kernel must load its own GDT before reloading a segment register);</li>
 *   <li>CR0: PE = 1, PG = 0 (paging off, so addresses are physical); EFLAGS: IF = 0, VM = 0;</li>
 *   <li>ESP undefined: the kernel sets up its own stack; GDTR and IDTR undefined;</li>
 *   <li>A20 enabled (always so on this machine).</li>
 * </ul>
 *
 * <p>Thread safety: none needed; call it while no vCPU runs.
 */
public final class MultibootLoader {
    /** EAX at kernel entry: proves to the kernel that a Multiboot loader started it. */
    public static final int BOOTLOADER_MAGIC = 0x2BADB002;
    /** The lowest address a kernel may load at. */
    public static final long MIN_LOAD_ADDR = MemoryMap.HIGH_MEMORY;

    private MultibootLoader() { }

    /**
     * Loads {@code image} into {@code mem}.
     *
     * @param imageName the file name, used in messages only
     * @param cmdline   the kernel's command line; null or empty for none (info flags bit 2 clear)
     * @param modules   modules in order; may be empty
     * @throws ImageException when the image cannot be booted; RAM is then unchanged
     */
    public static BootImage load(PhysicalMemory mem, String imageName, byte[] image, String cmdline,
                                 List<BootModule> modules) throws ImageException {
        return load(mem, imageName, image, cmdline, modules, Long.MAX_VALUE);
    }

    /**
     * As {@link #load(PhysicalMemory, String, byte[], String, List)}, for a machine whose low RAM from
     * {@code guestRamEnd} up belongs to the hypervisor: nothing is placed there and the memory map
     * reports it reserved.
     */
    public static BootImage load(PhysicalMemory mem, String imageName, byte[] image, String cmdline,
                                 List<BootModule> modules, long guestRamEnd) throws ImageException {
        Objects.requireNonNull(mem, "mem");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(modules, "modules");
        String name = imageName == null ? "<image>" : imageName;
        try {
            return loadChecked(mem, new ImageReader(name, image), cmdline, List.copyOf(modules), guestRamEnd);
        } catch (ImageException e) {
            throw e;
        } catch (RuntimeException e) {
            // A parser bug on hostile input; still a refusal, not a crash of the monitor.
            throw new ImageException(name, "malformed image (" + e + ")");
        }
    }

    private static BootImage loadChecked(PhysicalMemory mem, ImageReader r, String cmdline,
                                         List<BootModule> modules, long guestRamEnd) throws ImageException {
        if (r.length() == 0) throw r.fail("empty file");
        if (r.length() > mem.size()) {
            throw r.fail(String.format("image is %d bytes, larger than RAM (%d bytes)", r.length(), mem.size()));
        }
        MultibootHeader header = MultibootHeader.find(r);
        KernelLayout layout;
        if (header.aoutKludge()) {
            layout = header.aoutLayout(r);
        } else if (ElfKernel.isElf(r)) {
            layout = ElfKernel.layout(r);
        } else {
            throw r.fail("Multiboot header has no a.out kludge (flags bit 16) and the file is not ELF");
        }
        long lowEnd = Math.min(MemoryMap.lowRamEnd(mem), guestRamEnd);
        for (KernelLayout.Segment s : layout.segments()) checkPlacement(r, s.paddr(), s.end(), lowEnd);

        MultibootInfo info = new MultibootInfo(mem, layout.end(), cmdline, modules, guestRamEnd);
        if (info.end > lowEnd) {
            throw r.fail(String.format("no room for the boot information and modules: they need %#x-%#x,"
                    + " low RAM ends at %#x", info.infoAddr, info.end - 1, lowEnd));
        }

        for (KernelLayout.Segment s : layout.segments()) {
            mem.writeBytes(s.paddr(), r.bytes(), s.fileOffset(), s.fileSize());
            mem.zero(s.paddr() + s.fileSize(), s.memSize() - s.fileSize());
        }
        info.write();
        return new BootImage(layout.entry(), info.infoAddr, layout.start(), layout.end(), info.end);
    }

    private static void checkPlacement(ImageReader r, long start, long end, long lowEnd) throws ImageException {
        if (start < MIN_LOAD_ADDR) {
            throw r.fail(String.format("load range %#x-%#x overlaps reserved memory below 1 MiB", start, end - 1));
        }
        if (end > lowEnd) {
            throw r.fail(String.format("load range %#x-%#x runs past the end of low RAM at %#x", start, end - 1, lowEnd));
        }
    }
}
