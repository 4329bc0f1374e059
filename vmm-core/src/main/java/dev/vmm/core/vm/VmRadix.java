package dev.vmm.core.vm;

import java.util.List;

/**
 * vm_radix: an object's resident pages by pindex, as a radix tree of 512-way nodes (the fan-out of a
 * page table: one leaf covers the pages of one 2 MiB run). It replaces a sorted map on the fault path:
 * a lookup is a few array loads with no boxing, an insert allocates only when a new leaf or level is
 * needed, and in-order iteration over a range skips empty subtrees.
 *
 * <p>The tree grows upward as larger indexes arrive; emptied nodes are unlinked, so a long-lived object
 * that churns pages does not accumulate empty leaves. Ownership: the object's lock (the VM lock).
 */
final class VmRadix {
    private static final int SHIFT = 9, FANOUT = 1 << SHIFT, MASK = FANOUT - 1;

    /** A node: children (interior) or pages (leaf), with the count of non-null slots. */
    private static final class Node {
        final Object[] slot = new Object[FANOUT];
        int count;
    }

    private Node root;
    /** Levels below and including the root: indexes below 512^height fit. */
    private int height;
    private int size;
    /** remove's scratch: the nodes on the way down (no allocation per removal). */
    private final Node[] path = new Node[7];

    int size() { return size; }

    VmPage get(long pindex) {
        if (pindex < 0 || root == null || (height < 7 && (pindex >>> (SHIFT * height)) != 0)) return null;
        Node n = root;
        for (int level = height - 1; level > 0; level--) {
            n = (Node) n.slot[(int) (pindex >>> (SHIFT * level)) & MASK];
            if (n == null) return null;
        }
        return (VmPage) n.slot[(int) pindex & MASK];
    }

    /** Inserts {@code m} at {@code pindex}; the slot must be empty. */
    void put(long pindex, VmPage m) {
        if (pindex < 0) throw new IllegalArgumentException("negative pindex " + pindex);
        if (root == null) { root = new Node(); height = 1; }
        while (height < 7 && (pindex >>> (SHIFT * height)) != 0) {
            Node up = new Node();
            if (root.count > 0) { up.slot[0] = root; up.count = 1; }
            root = up;
            height++;
        }
        Node n = root;
        for (int level = height - 1; level > 0; level--) {
            int i = (int) (pindex >>> (SHIFT * level)) & MASK;
            Node c = (Node) n.slot[i];
            if (c == null) { c = new Node(); n.slot[i] = c; n.count++; }
            n = c;
        }
        int i = (int) pindex & MASK;
        if (n.slot[i] != null) throw new IllegalStateException("page exists at " + pindex);
        n.slot[i] = m;
        n.count++;
        size++;
    }

    /** Removes the page at {@code pindex}, if any, and unlinks nodes left empty. */
    VmPage remove(long pindex) {
        if (pindex < 0 || root == null || (height < 7 && (pindex >>> (SHIFT * height)) != 0)) return null;
        Node n = root;
        for (int level = height - 1; level > 0; level--) {
            path[level] = n;
            n = (Node) n.slot[(int) (pindex >>> (SHIFT * level)) & MASK];
            if (n == null) return null;
        }
        int i = (int) pindex & MASK;
        VmPage m = (VmPage) n.slot[i];
        if (m == null) return null;
        n.slot[i] = null;
        size--;
        for (int level = 1; --n.count == 0 && level < height; level++) {
            Node parent = path[level];
            parent.slot[(int) (pindex >>> (SHIFT * level)) & MASK] = null;
            n = parent;
        }
        if (size == 0) { root = null; height = 0; }
        return m;
    }

    /** Appends the pages with pindex in [start, end) to {@code out}, in pindex order. */
    void collect(long start, long end, List<VmPage> out) {
        if (root != null && start < end) collect(root, height - 1, 0, Math.max(start, 0), end, out);
    }

    private static void collect(Node n, int level, long base, long start, long end, List<VmPage> out) {
        long span = 1L << (SHIFT * level); // indexes covered by one slot at this level
        for (int i = 0; i < FANOUT; i++) {
            Object o = n.slot[i];
            if (o == null) continue;
            long lo = base + i * span;
            if (lo >= end) return;
            if (lo + span - 1 < start) continue;
            if (level == 0) out.add((VmPage) o);
            else collect((Node) o, level - 1, lo, start, end, out);
        }
    }
}
