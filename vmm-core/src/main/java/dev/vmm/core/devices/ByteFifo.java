package dev.vmm.core.devices;

/**
 * A fixed-capacity ring of bytes: the 16550's 16-byte receive and transmit FIFOs. No allocation after
 * construction, so the UART's register accesses allocate nothing.
 *
 * <p>Not thread safe: owned by one {@link Uart16550}.
 */
final class ByteFifo {
    private final byte[] data;
    private int head;   // index of the oldest byte
    private int count;  // bytes held, 0..capacity

    ByteFifo(int capacity) {
        data = new byte[capacity];
    }

    int capacity() { return data.length; }

    int count() { return count; }

    boolean isEmpty() { return count == 0; }

    boolean isFull() { return count == data.length; }

    /** Appends {@code b}; the caller has checked {@link #isFull()}. */
    void push(byte b) {
        assert count < data.length : "push on a full FIFO";
        data[(head + count) % data.length] = b;
        count++;
    }

    /** Removes and returns the oldest byte; the caller has checked {@link #isEmpty()}. */
    byte pop() {
        assert count > 0 : "pop on an empty FIFO";
        byte b = data[head];
        head = (head + 1) % data.length;
        count--;
        return b;
    }

    /** Replaces the newest byte: the 8250's receiver buffer being overwritten on overrun. */
    void replaceNewest(byte b) {
        assert count > 0;
        data[(head + count - 1) % data.length] = b;
    }

    void clear() {
        head = 0;
        count = 0;
    }
}
