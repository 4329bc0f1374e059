package dev.vmm.mmu;

/**
 * A device region in the physical address space (local APIC, IOAPIC, ...). Accesses that fall in a
 * registered range are dispatched here instead of RAM.
 *
 * <p>Thread safety: called from whichever vCPU thread performs the access; implementations lock as
 * they need.
 */
public interface MmioHandler {
    /** Reads {@code size} bytes (1, 2, 4 or 8) at {@code offset} from the start of the region. */
    long read(long offset, int size);

    /** Writes the low {@code size} bytes of {@code value} at {@code offset}. */
    void write(long offset, int size, long value);
}
