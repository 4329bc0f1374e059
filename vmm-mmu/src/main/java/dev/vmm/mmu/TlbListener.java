package dev.vmm.mmu;

/**
 * Told of a TLB's fills and flushes as they happen (the monitor's {@code trace on tlb}). Null on a
 * {@link Tlb} by default: then the TLB pays one field test per fill and flush, nothing per lookup.
 */
public interface TlbListener {
    /** A walk for {@code lin} was cached: its 4 KiB frame, page size and whether it is an instruction fetch. */
    void filled(long lin, boolean fetch, long frame, int pageShift, boolean global);

    /** Translations were dropped: {@code cause}, and {@code lin} for one address (else -1). */
    void flushed(TlbStats.FlushCause cause, long lin, int pcid);
}
