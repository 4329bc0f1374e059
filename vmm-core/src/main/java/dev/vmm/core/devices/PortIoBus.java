package dev.vmm.core.devices;

import dev.vmm.cpu.IoPorts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The I/O port space (0x0000-0xFFFF) as the CPU's IN/OUT/INS/OUTS see it: an ordered map of disjoint
 * port ranges, each owned by one {@link PortDevice} (Firecracker's {@code Bus}).
 *
 * <p>Lookup is {@link TreeMap#floorEntry} on the range bases, O(log n), behind a one-entry cache of the
 * last range hit: a guest polling the UART's LSR, or a benchmark spinning on one port, pays one compare.
 *
 * <pre>
 *   CPU --in(port,size)--> [last hit?] --no--> floorEntry(port) --> port < base+length? --no--> all-ones
 *                               |yes                                        |yes
 *                               +-------------------------------------------+--> dev.in(port,size) & mask
 * </pre>
 *
 * <p>An access goes whole to the range holding its first port; an unclaimed port reads as all-ones masked
 * to the access size (the floating ISA bus) and drops writes, as {@link IoPorts} requires.
 *
 * <p>Thread safety: {@link #register} happens while the machine is being built, before any vCPU thread
 * starts (thread start orders it before every access). Dispatch is then read-only apart from the cache,
 * which holds an immutable {@link Range}, so a racing cache write only costs a miss.
 */
public final class PortIoBus implements IoPorts {

    /** One past the highest port: the port space is 64 KiB. */
    public static final int PORT_SPACE = 0x10000;

    /** A claimed range [base, base + length). Immutable, so the dispatch cache can be racy. */
    public record Range(int base, int length, PortDevice device) {
        boolean contains(int port) { return port - base >= 0 && port - base < length; }

        int end() { return base + length; }

        @Override
        public String toString() {
            return String.format("[%#06x-%#06x] %s", base, end() - 1, device.getClass().getSimpleName());
        }
    }

    private final TreeMap<Integer, Range> ranges = new TreeMap<>();

    /** The range of the last dispatched access, or null. Read and written without locks (see class doc). */
    private Range lastHit;

    /**
     * Gives {@code device} the ports [base, base + length).
     *
     * @throws IllegalArgumentException if the range leaves the port space, is empty, or overlaps a range
     *                                  already registered (the message names both)
     */
    public void register(int base, int length, PortDevice device) {
        if (device == null) throw new NullPointerException("device");
        if (length <= 0 || base < 0 || base > PORT_SPACE - length) {
            throw new IllegalArgumentException(String.format(
                    "port range base %#x length %d is outside 0x0-0xffff", base, length));
        }
        Range added = new Range(base, length, device);
        // Only two neighbours can overlap a new range: the last one starting at or below its base, and
        // the first one starting above its base (which overlaps iff it starts before the new end).
        Map.Entry<Integer, Range> below = ranges.floorEntry(base);
        if (below != null && below.getValue().end() > base) {
            throw overlap(added, below.getValue());
        }
        Map.Entry<Integer, Range> above = ranges.higherEntry(base);
        if (above != null && above.getKey() < added.end()) {
            throw overlap(added, above.getValue());
        }
        ranges.put(base, added);
    }

    private static IllegalArgumentException overlap(Range added, Range existing) {
        return new IllegalArgumentException("port range " + added + " overlaps " + existing);
    }

    /** The range holding {@code port}, or null when the port is unclaimed. */
    public Range rangeAt(int port) {
        Range hit = lastHit;
        if (hit != null && hit.contains(port)) return hit;
        Map.Entry<Integer, Range> e = ranges.floorEntry(port);
        if (e == null || !e.getValue().contains(port)) return null;
        hit = e.getValue();
        lastHit = hit;
        return hit;
    }

    /** Every registered range in port order (for the monitor's "info ioports"). */
    public List<Range> ranges() {
        return new ArrayList<>(ranges.values());
    }

    @Override
    public int in(int port, int size) {
        assert size == 1 || size == 2 || size == 4 : "access size " + size;
        Range r = rangeAt(port);
        if (r == null) return sizeMask(size);
        return r.device.in(port, size) & sizeMask(size);
    }

    @Override
    public void out(int port, int size, int value) {
        assert size == 1 || size == 2 || size == 4 : "access size " + size;
        Range r = rangeAt(port);
        if (r != null) r.device.out(port, size, value & sizeMask(size));
    }

    /** All-ones in the low {@code size} bytes: 0xFF, 0xFFFF or 0xFFFFFFFF. */
    static int sizeMask(int size) {
        return size == 4 ? -1 : (1 << (size << 3)) - 1;
    }
}
