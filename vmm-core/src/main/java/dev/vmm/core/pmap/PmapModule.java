package dev.vmm.core.pmap;

import dev.vmm.core.vm.VmPage;

import java.util.List;

/**
 * The machine-dependent VM module: the pmap(9) functions that are not about one address space
 * (initialisation, the kernel pmap, creating pmaps, and the per-page functions that act on every
 * mapping of a physical page through its pv list). See {@link Pmap} for the contract.
 *
 * <p>Locking: callers hold the VM lock; page functions want the page busied (or the object locked).
 */
public interface PmapModule {
    /** pmap_init: page sizes, pv tables (called once the page array exists). */
    void init();

    /** pmap_init2: late initialisation (a no-op on amd64 today, kept for the interface). */
    void init2();

    /** kernel_pmap: the kernel's pmap, with the direct map of RAM. */
    Pmap kernelPmap();

    /** pmap_pinit0: proc0's pmap, which shares the kernel's top level. */
    Pmap pinit0();

    /** pmap_pinit: a new user pmap whose top level shares the kernel half; null when memory is short and {@code wait} is false. */
    Pmap pinit(boolean wait);

    /** pagesizes[]: supported page sizes, indexed by psind. */
    long[] pagesizes();

    /** pmap_activate on vCPU {@code cpu}: pm_active bookkeeping and CR3 load. */
    void activate(int cpu, Pmap pmap);

    /** pmap_growkernel: page-table pages for kernel addresses up to roundup(addr, 2 MiB). */
    void growkernel(long addr);

    /** pmap_map: the virtual address of [start, end) of physical memory (through the direct map). */
    long map(long start, long end, int prot);

    /** pmap_qenter: wired kernel mappings of {@code pages} starting at {@code va}. */
    void qenter(long va, List<VmPage> pages);

    /** pmap_qremove: removes {@code count} pages of qenter mappings at {@code va}. */
    void qremove(long va, int count);

    /** pmap_quick_enter_page: a short-lived kernel mapping of {@code m}; returns its virtual address. */
    long quickEnterPage(VmPage m);

    /** pmap_quick_remove_page. */
    void quickRemovePage(long va);

    /** pmap_object_init_pt: premaps a device object's physically contiguous pages with 2 MiB mappings where possible. */
    void objectInitPt(Pmap pmap, long addr, List<VmPage> pages, long size);

    // ---- per-page functions (through pv lists) ----
    void pageInit(VmPage m);

    void clearModify(VmPage m);

    boolean isModified(VmPage m);

    boolean isReferenced(VmPage m);

    boolean pageExistsQuick(Pmap pmap, VmPage m);

    int pageWiredMappings(VmPage m);

    void removeAll(VmPage m);

    void removeWrite(VmPage m);

    int tsReferenced(VmPage m);

    void copyPage(VmPage src, VmPage dst);

    void zeroPage(VmPage m);

    void zeroPageArea(VmPage m, int off, int size);

    /** Checks pv lists against page tables against pm_stats against wired counts; throws AssertionError with the first mismatch. */
    void checkInvariants();
}
