package dev.vmm.core.devices;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class PortIoBusTest {

    /** Remembers every access and answers reads with a fixed value. */
    static final class Recorder implements PortDevice {
        final List<String> log = new ArrayList<>();
        final int answer;

        Recorder(int answer) { this.answer = answer; }

        @Override
        public int in(int port, int size) {
            log.add(String.format("in %x/%d", port, size));
            return answer;
        }

        @Override
        public void out(int port, int size, int value) {
            log.add(String.format("out %x/%d=%x", port, size, value));
        }
    }

    private static PortIoBus busWith0x100To0x10F() {
        PortIoBus bus = new PortIoBus();
        bus.register(0x100, 0x10, new Recorder(0));
        return bus;
    }

    private static void assertOverlapRejected(int base, int length) {
        PortIoBus bus = busWith0x100To0x10F();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> bus.register(base, length, new Recorder(0)));
        // The message names both ranges.
        assertTrue(e.getMessage().contains(String.format("%#06x", base)), e.getMessage());
        assertTrue(e.getMessage().contains("0x0100-0x010f"), e.getMessage());
        assertEquals(1, bus.ranges().size());
    }

    @Test void overlapSameBase() { assertOverlapRejected(0x100, 1); }

    @Test void overlapSameRange() { assertOverlapRejected(0x100, 0x10); }

    @Test void overlapInside() { assertOverlapRejected(0x104, 4); }

    @Test void overlapStraddlingStart() { assertOverlapRejected(0xF8, 0x10); }

    @Test void overlapStraddlingEnd() { assertOverlapRejected(0x10C, 0x10); }

    @Test void overlapEnclosing() { assertOverlapRejected(0xF0, 0x40); }

    @Test void overlapLastPortOnly() { assertOverlapRejected(0x10F, 1); }

    @Test void overlapFirstPortOnly() { assertOverlapRejected(0xFF, 2); }

    @Test
    void adjacentRangesAreAccepted() {
        PortIoBus bus = busWith0x100To0x10F();
        bus.register(0xF0, 0x10, new Recorder(1));    // ends at 0xFF
        bus.register(0x110, 0x10, new Recorder(2));   // starts right after 0x10F
        assertEquals(3, bus.ranges().size());
        assertEquals(1, bus.in(0xFF, 1));
        assertEquals(0, bus.in(0x100, 1));
        assertEquals(0, bus.in(0x10F, 1));
        assertEquals(2, bus.in(0x110, 1));
    }

    @Test
    void rangeOutsidePortSpaceOrEmptyIsRejected() {
        PortIoBus bus = new PortIoBus();
        assertThrows(IllegalArgumentException.class, () -> bus.register(0xFFFF, 2, new Recorder(0)));
        assertThrows(IllegalArgumentException.class, () -> bus.register(-1, 1, new Recorder(0)));
        assertThrows(IllegalArgumentException.class, () -> bus.register(0x10, 0, new Recorder(0)));
        bus.register(0xFFFF, 1, new Recorder(0));
        bus.register(0, 1, new Recorder(0));
    }

    @Test
    void unclaimedPortsReadAllOnesMaskedToSizeAndDropWrites() {
        PortIoBus bus = busWith0x100To0x10F();
        assertEquals(0xFF, bus.in(0x80, 1));
        assertEquals(0xFFFF, bus.in(0x80, 2));
        assertEquals(0xFFFFFFFF, bus.in(0x80, 4));
        assertEquals(0xFF, bus.in(0x110, 1));  // just past a range
        assertEquals(0xFF, bus.in(0xFF, 1));   // just before it
        bus.out(0x80, 4, 0x12345678);          // nothing to observe, nothing thrown
        assertNull(bus.rangeAt(0x80));
    }

    @Test
    void dispatchPassesAbsolutePortAndMasksValues() {
        PortIoBus bus = new PortIoBus();
        Recorder r = new Recorder(0xAABBCCDD);
        bus.register(0x3F8, 8, r);
        assertEquals(0xDD, bus.in(0x3FD, 1));
        assertEquals(0xCCDD, bus.in(0x3F8, 2));
        assertEquals(0xAABBCCDD, bus.in(0x3F8, 4));
        bus.out(0x3F9, 1, 0x1234);
        bus.out(0x3FA, 2, 0xFFFF1234);
        assertEquals(List.of("in 3fd/1", "in 3f8/2", "in 3f8/4", "out 3f9/1=34", "out 3fa/2=1234"), r.log);
    }

    @Test
    void lastHitCacheDoesNotServeOtherRanges() {
        PortIoBus bus = new PortIoBus();
        bus.register(0x60, 1, new Recorder(0x60));
        bus.register(0x64, 1, new Recorder(0x64));
        for (int i = 0; i < 3; i++) {
            assertEquals(0x60, bus.in(0x60, 1));
            assertEquals(0xFF, bus.in(0x61, 1));  // between them, right after a hit on 0x60
            assertEquals(0x64, bus.in(0x64, 1));
            assertEquals(0xFF, bus.in(0x63, 1));
        }
    }

    @Test
    void oneDeviceAtTwoRangesSeesWhichPort() {
        PortIoBus bus = new PortIoBus();
        Recorder pit = new Recorder(0);
        bus.register(0x40, 4, pit);
        bus.register(0x61, 1, pit);
        bus.out(0x43, 1, 0x34);
        bus.out(0x61, 1, 0x01);
        assertEquals(List.of("out 43/1=34", "out 61/1=1"), pit.log);
        assertEquals(List.of(0x40, 0x61), bus.ranges().stream().map(PortIoBus.Range::base).toList());
    }

    @Test
    void manyRangesLookUpCorrectly() {
        PortIoBus bus = new PortIoBus();
        for (int base = 0; base < 0x1000; base += 0x10) bus.register(base, 8, new Recorder(base));
        for (int port = 0; port < 0x1000; port++) {
            int expected = (port & 0xF) < 8 ? (port & ~0xF) & 0xFF : 0xFF;
            assertEquals(expected, bus.in(port, 1), "port " + Integer.toHexString(port));
        }
    }
}
