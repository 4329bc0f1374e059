package dev.vmm.console.serial;

/**
 * The last {@code capacity} bytes a guest printed on a port, replayed to a client that connects late
 * so it sees the prompt (and the boot messages) it missed.
 *
 * <p>A plain ring: appending overwrites the oldest bytes; nothing is allocated after construction
 * except by {@link #snapshot()}.
 *
 * <p>Thread safety: none; {@link Fanout} guards it with its lock so that a snapshot and the bytes
 * published after it join without a gap or an overlap.
 */
final class Scrollback {
    private final byte[] ring;
    private int start;   // index of the oldest byte
    private int size;    // bytes held, 0..capacity

    Scrollback(int capacity) {
        if (capacity < 0) throw new IllegalArgumentException("scrollback " + capacity);
        ring = new byte[capacity];
    }

    int capacity() { return ring.length; }

    int size() { return size; }

    void append(byte[] b, int off, int len) {
        int cap = ring.length;
        if (cap == 0) return;
        if (len >= cap) {                       // only the tail survives
            System.arraycopy(b, off + len - cap, ring, 0, cap);
            start = 0;
            size = cap;
            return;
        }
        int end = (start + size) % cap;
        int first = Math.min(len, cap - end);
        System.arraycopy(b, off, ring, end, first);
        System.arraycopy(b, off + first, ring, 0, len - first);
        int overflow = size + len - cap;
        if (overflow > 0) {
            start = (start + overflow) % cap;
            size = cap;
        } else {
            size += len;
        }
    }

    /** The bytes held, oldest first. */
    byte[] snapshot() {
        byte[] out = new byte[size];
        int first = Math.min(size, ring.length - start);
        System.arraycopy(ring, start, out, 0, first);
        System.arraycopy(ring, 0, out, first, size - first);
        return out;
    }
}
