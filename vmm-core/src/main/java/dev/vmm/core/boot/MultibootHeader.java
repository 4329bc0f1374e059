package dev.vmm.core.boot;

import java.util.List;

/**
 * The Multiboot v1 header of a kernel image, and the a.out-kludge layout it may carry.
 *
 * <pre>
 * offset  field          present when
 *   0     magic          always: 0x1BADB002
 *   4     flags          always
 *   8     checksum       always: magic + flags + checksum == 0 (mod 2^32)
 *  12     header_addr    flags bit 16 (a.out kludge): where this header is loaded
 *  16     load_addr                                   where the file's loaded part starts
 *  20     load_end_addr                               end of loaded part; 0 = to the end of the file
 *  24     bss_end_addr                                end of bss; 0 = no bss
 *  28     entry_addr                                  the entry point
 *  32..47 mode_type, width, height, depth   flags bit 2 (video mode; ignored here)
 * </pre>
 * The header lies in the first 8192 bytes of the file, 32-bit aligned.
 *
 * <p>Flags bits 0-15 are requirements: a loader that does not know one must refuse the image. We know
 * bit 0 (page-align modules: always done), bit 1 (memory information: always given) and bit 2 (video
 * mode: a preference, so ignored). Bits 16-31 are optional features; of those only bit 16 means
 * anything.
 *
 * @param offset file offset of the magic
 * @param flags  the flags word
 */
record MultibootHeader(int offset, int flags) {
    static final int MAGIC = 0x1BADB002;
    static final int SEARCH_LIMIT = 8192;
    static final int FLAG_PAGE_ALIGN = 1;
    static final int FLAG_MEMORY_INFO = 1 << 1;
    static final int FLAG_VIDEO_MODE = 1 << 2;
    static final int FLAG_AOUT_KLUDGE = 1 << 16;
    static final int KNOWN_REQUIRED = FLAG_PAGE_ALIGN | FLAG_MEMORY_INFO | FLAG_VIDEO_MODE;
    static final int AOUT_HEADER_SIZE = 32;

    boolean aoutKludge() { return (flags & FLAG_AOUT_KLUDGE) != 0; }

    /**
     * Finds the first header with a valid checksum. A magic with a bad checksum is reported only if no
     * valid header follows it, so stray magic numbers in code do not hide the real header.
     */
    static MultibootHeader find(ImageReader r) throws ImageException {
        int limit = Math.min(r.length(), SEARCH_LIMIT);
        int badChecksumAt = -1;
        boolean truncated = false;
        for (int off = 0; off + 4 <= limit; off += 4) {
            if ((int) r.u32(off, "Multiboot header") != MAGIC) continue;
            if (off + 12 > limit) { // the three words must lie in the first 8192 bytes, and in the file
                truncated |= limit == r.length();
                continue;
            }
            int flags = (int) r.u32(off + 4, "Multiboot header");
            int checksum = (int) r.u32(off + 8, "Multiboot header");
            if (MAGIC + flags + checksum != 0) {
                if (badChecksumAt < 0) badChecksumAt = off;
                continue;
            }
            MultibootHeader h = new MultibootHeader(off, flags);
            int unknown = flags & 0xFFFF & ~KNOWN_REQUIRED;
            if (unknown != 0) {
                throw r.fail(String.format("Multiboot header requires features this loader lacks (flags %#x)", unknown));
            }
            if (h.aoutKludge()) r.require(off, AOUT_HEADER_SIZE, "Multiboot header (a.out kludge fields)");
            return h;
        }
        if (badChecksumAt >= 0) {
            throw r.fail(String.format("bad Multiboot header checksum at offset %#x", badChecksumAt));
        }
        if (truncated) throw r.fail("truncated Multiboot header");
        throw noHeader(r);
    }

    private static ImageException noHeader(ImageReader r) {
        return r.fail(r.length() == 0 ? "empty file"
                : "not a Multiboot kernel (no Multiboot header in the first 8192 bytes)");
    }

    /**
     * The layout the a.out kludge fields describe: one segment, file bytes from the offset that puts
     * the header at header_addr, up to load_end_addr (or the end of the file), then bss.
     */
    KernelLayout aoutLayout(ImageReader r) throws ImageException {
        long headerAddr = r.u32(offset + 12, "a.out kludge header");
        long loadAddr = r.u32(offset + 16, "a.out kludge header");
        long loadEndAddr = r.u32(offset + 20, "a.out kludge header");
        long bssEndAddr = r.u32(offset + 24, "a.out kludge header");
        long entry = r.u32(offset + 28, "a.out kludge header");
        if (loadAddr > headerAddr) {
            throw r.fail(String.format("load_addr %#x is above header_addr %#x", loadAddr, headerAddr));
        }
        long fileOffset = offset - (headerAddr - loadAddr);
        if (fileOffset < 0) {
            throw r.fail(String.format("header_addr %#x - load_addr %#x puts the load start before the file",
                    headerAddr, loadAddr));
        }
        long fileSize;
        if (loadEndAddr == 0) {
            fileSize = r.length() - fileOffset;
        } else {
            if (loadEndAddr <= headerAddr) {
                throw r.fail(String.format("load_end_addr %#x does not follow header_addr %#x", loadEndAddr, headerAddr));
            }
            fileSize = loadEndAddr - loadAddr;
            r.require(fileOffset, fileSize, "image: a.out kludge load range");
        }
        long memSize = fileSize;
        if (bssEndAddr != 0) {
            if (bssEndAddr < loadAddr + fileSize) {
                throw r.fail(String.format("bss_end_addr %#x is below the load end %#x", bssEndAddr, loadAddr + fileSize));
            }
            memSize = bssEndAddr - loadAddr;
        }
        if (entry < loadAddr || entry >= loadAddr + fileSize) {
            throw r.fail(String.format("entry point %#x is outside the loaded image %#x-%#x",
                    entry, loadAddr, loadAddr + fileSize - 1));
        }
        return new KernelLayout(List.of(new KernelLayout.Segment(loadAddr, (int) fileOffset, (int) fileSize, memSize)), entry);
    }
}
