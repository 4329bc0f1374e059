package dev.vmm.mmu;

/** Told of every write to a page marked with {@link PhysicalMemory#watchPageTable} (the TLB checker). */
@FunctionalInterface
public interface PageTableWriteListener {
    /** Called after the bytes [pa, pa + len) were written, on the writing thread. */
    void pageTableWritten(long pa, int len);
}
