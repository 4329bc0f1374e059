package dev.vmm.core.pmap;

import dev.vmm.core.vm.VmPage;

import java.util.List;

/**
 * struct pmap and the pmap(9) functions that act on one address space: the machine-dependent map
 * from virtual pages to physical pages, kept in the hardware's page tables.
 *
 * <p><b>The contract (FreeBSD's pmap.c header):</b> a pmap is a <em>cache</em> of the machine-independent
 * state kept by vm_map and vm_object. It may throw away valid, non-wired mappings at almost any time
 * (under memory pressure pmap_enter reclaims mappings of other pmaps); vm_fault rebuilds them on the
 * next access. Only wired mappings are guaranteed to stay until unwired or removed. Every function
 * leaves {@link #stats()} exact, and handles TLB consistency for every CPU in {@link #active()}: when a
 * function returns, no CPU can still use a translation that grants more than the page tables do.
 *
 * <p>Java names follow FreeBSD's: pmap_enter is {@link #enter}, pm_stats is {@link #stats()}.
 * Addresses are virtual addresses in bytes; ranges are [sva, eva), page aligned.
 * Return values are KERN_* codes from {@link dev.vmm.core.vm.VmParam}.
 *
 * <p>Locking: callers hold the VM lock; a managed page passed to {@link #enter} must be busied by the
 * caller or its object locked (then with {@link #ENTER_NOSLEEP}).
 */
public interface Pmap {
    /** pmap_enter flags: the low byte is the VM_PROT_* access that caused the call. */
    int ENTER_NOSLEEP = 0x100, ENTER_WIRED = 0x200, ENTER_LARGEPAGE = 0x400;
    int ENTER_ACCESS_MASK = 0xFF;

    /** pm_stats: exact after every operation. */
    PmapStatistics stats();

    /** pm_active: bit i set while vCPU i runs on this pmap. */
    long active();

    /** The physical address of the top-level table (what CR3 holds). */
    long cr3();

    boolean isKernel();

    /** pmap_enter(9): maps {@code va} to {@code m} with {@code prot}; psind 0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB. */
    int enter(long va, VmPage m, int prot, int flags, int psind);

    /** pmap_enter_object: maps the resident pages {@code pages} (ascending pindex, first one at {@code start}) read-only-ish, without sleeping. */
    void enterObject(long start, long end, List<VmPage> pages, VmPage mStart, int prot);

    /** pmap_enter_quick: maps {@code m} at {@code va} only if nothing is mapped there; never sleeps, may do nothing. */
    void enterQuick(long va, VmPage m, int prot);

    /** pmap_extract: the physical address {@code va} maps to, or 0. */
    long extract(long va);

    /** pmap_extract_and_hold: the page mapped at {@code va} with at least {@code prot}, wired (held), or null. */
    VmPage extractAndHold(long va, int prot);

    /** pmap_is_prefaultable: a page-table page exists for {@code va} and no mapping. */
    boolean isPrefaultable(long va);

    /** pmap_mincore: MINCORE_* bits for {@code va}; {@code paOut[0]} receives the physical address when managed. */
    int mincore(long va, long[] paOut);

    /** pmap_protect: restricts the protection of [sva, eva) to {@code prot} (never adds rights). */
    void protect(long sva, long eva, int prot);

    /** pmap_remove: removes the mappings in [sva, eva). */
    void remove(long sva, long eva);

    /** pmap_remove_pages: process exit, removes every non-wired mapping; the pmap must be current on one CPU at most. */
    void removePages();

    /** pmap_unwire: clears the wired attribute of the mappings in [sva, eva); each must be valid and wired. */
    void unwire(long sva, long eva);

    /** pmap_advise: MADV_DONTNEED / MADV_FREE hints on [sva, eva). */
    void advise(long sva, long eva, int advice);

    /** pmap_copy: advisory copy of {@code src}'s mappings of [srcAddr, srcAddr + len) into this pmap at dstAddr (fork). */
    void copy(Pmap src, long dstAddr, long len, long srcAddr);

    /** pmap_resident_count. */
    default long residentCount() { return stats().residentCount(); }

    /** pmap_wired_count. */
    default long wiredCount() { return stats().wiredCount(); }

    /** pmap_pinit2: completes initialisation after pmap_pinit (re-copies the kernel's top-level slots). */
    void pinit2();

    /** pmap_release: frees the top-level table; the pmap must have no mappings and no active CPU. */
    void release();
}
