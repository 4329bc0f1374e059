package dev.vmm.core.vm;

import java.util.ArrayList;
import java.util.List;

/**
 * struct vm_pagequeue: an LRU list of pages linked through the pages themselves (FreeBSD's plinks.q
 * TAILQ), so queueing a page on every fault allocates nothing. Head = least recently queued.
 * Ownership: the page-queue lock (the VM lock).
 */
final class PageQueue {
    private VmPage head, tail;
    private int size;

    int size() { return size; }

    /** Appends {@code m}, which must be on no queue. */
    void add(VmPage m) {
        m.qprev = tail;
        m.qnext = null;
        if (tail == null) head = m; else tail.qnext = m;
        tail = m;
        size++;
    }

    /** Unlinks {@code m}, which must be on this queue. */
    void remove(VmPage m) {
        if (m.qprev == null) head = m.qnext; else m.qprev.qnext = m.qnext;
        if (m.qnext == null) tail = m.qprev; else m.qnext.qprev = m.qprev;
        m.qprev = m.qnext = null;
        size--;
    }

    /** vm_page_requeue: moves {@code m} to the tail. */
    void requeue(VmPage m) {
        if (tail == m) return;
        remove(m);
        add(m);
    }

    /** The pages in LRU order, copied (the caller may requeue or free while iterating). */
    List<VmPage> snapshot() {
        List<VmPage> l = new ArrayList<>(size);
        for (VmPage m = head; m != null; m = m.qnext) l.add(m);
        return l;
    }
}
