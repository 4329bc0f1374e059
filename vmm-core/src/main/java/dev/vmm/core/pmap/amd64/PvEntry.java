package dev.vmm.core.pmap.amd64;

/**
 * pv_entry: one mapping of a managed physical page, (pmap, va), on the page's list (4 KiB mappings)
 * or on its 2 MiB frame's list (superpage mappings). Each entry occupies a slot of a {@link PvChunk}
 * of its pmap. Ownership: the pv list lock of the page (the VM lock here).
 */
final class PvEntry {
    /** (c) */
    final AmdPmap pmap;
    /** (c) the mapping's virtual address (2 MiB aligned for a superpage entry). */
    long va;
    /** (c) the chunk slot holding this entry (entries live and die with their chunk, and are reused). */
    PvChunk chunk;
    int slot;

    PvEntry(AmdPmap pmap, long va) {
        this.pmap = pmap;
        this.va = va;
    }

    @Override
    public String toString() { return String.format("pv{pmap %d, va %#x}", pmap.id, va); }
}
