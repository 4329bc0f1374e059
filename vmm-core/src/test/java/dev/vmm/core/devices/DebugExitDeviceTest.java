package dev.vmm.core.devices;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class DebugExitDeviceTest {

    private final List<Integer> exits = new ArrayList<>();
    private final PortIoBus bus = new PortIoBus();

    DebugExitDeviceTest() {
        new DebugExitDevice(DebugExitDevice.DEFAULT_PORT, exits::add).attach(bus);
    }

    @Test
    void byteWriteGivesQemuStatus() {
        bus.out(0xF4, 1, 0x10);
        assertEquals(List.of(33), exits);  // (0x10 << 1) | 1: the conventional "tests passed"
    }

    @Test
    void zeroStillExitsNonZero() {
        bus.out(0xF4, 1, 0);
        assertEquals(List.of(1), exits);
    }

    @Test
    void theWholeValueOfTheAccessWidthCounts() {
        bus.out(0xF4, 1, 0x1FF);            // the bus masks a byte access to 0xFF
        bus.out(0xF4, 2, 0x0100);
        bus.out(0xF4, 4, 0x12345678);
        assertEquals(List.of(0x1FF, 0x201, (0x12345678 << 1) | 1), exits);
    }

    @Test
    void readsSeeTheFloatingBusAndDoNotExit() {
        assertEquals(0xFF, bus.in(0xF4, 1));
        assertEquals(0xFFFFFFFF, bus.in(0xF4, 4));
        assertTrue(exits.isEmpty());
    }

    @Test
    void neighbouringPortsAreNotClaimed() {
        bus.out(0xF5, 1, 1);
        bus.out(0xF3, 1, 1);
        assertTrue(exits.isEmpty());
        assertEquals(0xF4, bus.ranges().getFirst().base());
        assertEquals(1, bus.ranges().getFirst().length());
    }
}
