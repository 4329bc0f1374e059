package dev.vmm.core.devices;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class BochsShutdownPortTest {

    private int shutdowns;
    private final PortIoBus bus = new PortIoBus();

    BochsShutdownPortTest() {
        new BochsShutdownPort(BochsShutdownPort.DEFAULT_PORT, () -> shutdowns++).attach(bus);
    }

    private void write(String s) {
        for (byte b : s.getBytes(StandardCharsets.US_ASCII)) bus.out(0x8900, 1, b & 0xFF);
    }

    @Test
    void shutdownStringPowersOff() {
        write("Shutdow");
        assertEquals(0, shutdowns, "not before the last byte");
        write("n");
        assertEquals(1, shutdowns);
    }

    @Test
    void mismatchResetsTheMatch() {
        write("ShutXdown");
        assertEquals(0, shutdowns);
        write("shutdown");  // case matters
        assertEquals(0, shutdowns);
        write("Shutdown");
        assertEquals(1, shutdowns);
    }

    @Test
    void aMismatchingCapitalSStartsANewMatch() {
        write("ShutS");
        write("hutdown");
        assertEquals(1, shutdowns);
        write("SShutdown");
        assertEquals(2, shutdowns);
    }

    @Test
    void theMatchStartsOverAfterAShutdown() {
        write("ShutdownShutdown");
        assertEquals(2, shutdowns);
        write("hutdown");
        assertEquals(2, shutdowns);
    }

    @Test
    void onlyTheLowByteOfAWideWriteCounts() {
        for (byte b : "Shutdown".getBytes(StandardCharsets.US_ASCII)) bus.out(0x8900, 2, 0x4100 | b);
        assertEquals(1, shutdowns);
    }

    @Test
    void readsSeeTheFloatingBus() {
        assertEquals(0xFFFF, bus.in(0x8900, 2));
    }
}
