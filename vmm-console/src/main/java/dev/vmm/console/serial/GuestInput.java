package dev.vmm.console.serial;

import dev.vmm.core.devices.SerialSource;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes clients typed, waiting for the guest's UART to pull them: the port's {@link SerialSource}.
 *
 * <pre>
 *   event loops --offer(bytes)--> [ chunk | chunk ... ] --poll()--> Uart16550 RX FIFO   (vCPU thread)
 *        ^                             |
 *        |  full: the offering client  |  drained to half: resume every paused client
 *        +--- stops reading (autoRead off) <---------------+  (its event loop turns autoRead on)
 * </pre>
 *
 * <p>Input is never dropped here. A client whose bytes fill the queue past its capacity is paused
 * (its socket is no longer read, so TCP flow control pushes back on the sender), and resumed once the
 * guest has taken half the queue. The queue may exceed its capacity by what the paused clients' last
 * reads held, which is bounded by the event loop's read size.
 *
 * <p>Thread safety: {@link #offer} may run on any number of event loops while {@link #poll()} runs on
 * the vCPU thread; both hold the queue's lock. Resume callbacks run on the polling thread outside the
 * lock and must only schedule work.
 */
final class GuestInput implements SerialSource {

    /** How a paused client is resumed. */
    interface Pausable {
        void resume();
    }

    private final int capacity;
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private int headPos;       // next byte of chunks.peekFirst()
    private int count;         // bytes waiting
    private final List<Pausable> paused = new ArrayList<>();

    GuestInput(int capacity) {
        if (capacity <= 0) throw new IllegalArgumentException("input capacity " + capacity);
        this.capacity = capacity;
    }

    /**
     * Queues {@code bytes} (taken over: not copied, not to be modified).
     *
     * @return true when the queue is now at or past its capacity: the caller should stop reading and
     *         {@link #pause} itself
     */
    synchronized boolean offer(byte[] bytes) {
        if (bytes.length > 0) {
            chunks.addLast(bytes);
            count += bytes.length;
        }
        return count >= capacity;
    }

    /**
     * Registers {@code p} to be resumed when the queue has drained to half its capacity; resumes it
     * at once (on this thread) if that already happened.
     */
    void pause(Pausable p) {
        synchronized (this) {
            if (count > capacity / 2) {
                if (!paused.contains(p)) paused.add(p);
                return;
            }
        }
        p.resume();
    }

    /** Forgets a paused client that went away. */
    synchronized void forget(Pausable p) {
        paused.remove(p);
    }

    @Override
    public int poll() {
        List<Pausable> wake = null;
        int b;
        synchronized (this) {
            byte[] head = chunks.peekFirst();
            if (head == null) return -1;
            b = head[headPos++] & 0xFF;
            if (headPos == head.length) {
                chunks.pollFirst();
                headPos = 0;
            }
            count--;
            if (!paused.isEmpty() && count <= capacity / 2) {
                wake = new ArrayList<>(paused);
                paused.clear();
            }
        }
        if (wake != null) for (Pausable p : wake) p.resume();
        return b;
    }

    synchronized int queued() { return count; }

    synchronized int pausedCount() { return paused.size(); }
}
