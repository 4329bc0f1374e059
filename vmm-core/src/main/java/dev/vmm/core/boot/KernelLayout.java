package dev.vmm.core.boot;

import java.util.List;

/**
 * What a kernel image asks to be loaded, before any of it is checked against RAM: the pieces of the file
 * that go to physical addresses, and the entry point. Both image formats (a.out kludge, ELF) reduce to
 * this, so placement rules are checked in one place ({@link MultibootLoader}).
 *
 * @param segments the pieces to load, in file order
 * @param entry    the physical entry point
 */
record KernelLayout(List<Segment> segments, long entry) {

    /**
     * {@code fileSize} bytes from {@code fileOffset} go to {@code paddr}; the rest of {@code memSize}
     * is zeroed (bss). All values are non-negative and checked against the file by the parser.
     */
    record Segment(long paddr, int fileOffset, int fileSize, long memSize) {
        long end() { return paddr + memSize; }
    }

    long start() {
        return segments.stream().mapToLong(Segment::paddr).min().orElseThrow();
    }

    long end() {
        return segments.stream().mapToLong(Segment::end).max().orElseThrow();
    }
}
