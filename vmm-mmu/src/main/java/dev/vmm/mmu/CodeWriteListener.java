package dev.vmm.mmu;

/**
 * Told when a physical page that holds decoded instructions is written, so that the decoded-instruction
 * cache keyed by physical page can drop what it decoded from it (self-modifying code, a loader, DMA).
 */
@FunctionalInterface
public interface CodeWriteListener {
    /** @param pfn the physical frame number (physical address >>> 12) of the page written */
    void codePageWritten(long pfn);
}
