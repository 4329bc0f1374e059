package dev.vmm.console.serial;

import java.util.ArrayDeque;

/**
 * The guest output waiting for one client: a bounded queue of chunks between the vCPU thread, which
 * offers every chunk the guest prints to every client, and the client's event loop, which takes chunks
 * as fast as the socket accepts them.
 *
 * <pre>
 *   vCPU thread --offer(chunk)--> [ chunk | chunk | ... ]  (at most capacity bytes)
 *                                       |
 *   event loop  <--poll()---------------+   while the channel is writable
 * </pre>
 *
 * <p>A client either receives every byte in order or is disconnected: an offer that would exceed the
 * capacity marks the queue overflowed, empties it, and refuses everything after, so a slow client
 * never makes the guest wait, never costs more than {@code capacity} bytes of memory, and never sees
 * a stream with a hole in it. Chunks are shared between clients and never modified.
 *
 * <p>Thread safety: all methods synchronise on the queue; one producer and one consumer at a time is
 * the intended use, any number is safe.
 */
final class ClientQueue {
    private final long capacity;
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private long queuedBytes;
    private boolean overflowed;

    ClientQueue(long capacity) {
        if (capacity <= 0) throw new IllegalArgumentException("client queue capacity " + capacity);
        this.capacity = capacity;
    }

    long capacity() { return capacity; }

    /**
     * Appends a chunk.
     *
     * @return false when the queue is (or now becomes) overflowed: the chunk was not taken
     */
    synchronized boolean offer(byte[] chunk) {
        if (overflowed) return false;
        if (chunk.length == 0) return true;
        if (queuedBytes + chunk.length > capacity) {
            overflowed = true;
            chunks.clear();
            queuedBytes = 0;
            return false;
        }
        chunks.addLast(chunk);
        queuedBytes += chunk.length;
        return true;
    }

    /** The oldest chunk, or null when empty. */
    synchronized byte[] poll() {
        byte[] c = chunks.pollFirst();
        if (c != null) queuedBytes -= c.length;
        return c;
    }

    synchronized long queuedBytes() { return queuedBytes; }

    synchronized boolean isEmpty() { return chunks.isEmpty(); }

    synchronized boolean overflowed() { return overflowed; }
}
