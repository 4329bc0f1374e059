package dev.vmm.core.devices;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The 8254 on the virtual clock, programmed the way kernels program it (82C54 datasheet). */
class Pit8254Test {
    long nanos;
    int edges;
    boolean level;

    private Pit8254 pit() {
        return new Pit8254(() -> nanos, l -> { if (l && !level) edges++; level = l; });
    }

    @Test
    void channel0RateGeneratorRaisesIrq0EveryPeriod() {
        Pit8254 pit = pit();
        pit.out(0x43, 1, 0x34); // channel 0, lobyte/hibyte, mode 2
        pit.out(0x40, 1, 1193 & 0xFF);
        pit.out(0x40, 1, 1193 >> 8);
        long first = pit.nextEvent();
        assertEquals(1_000_000, first, 1_000, "1193 ticks of 1.193182 MHz = 1 ms");
        nanos = first;
        pit.update(nanos);
        assertEquals(1, edges);
        long second = pit.nextEvent();
        assertEquals(2_000_000, second, 2_000);
        nanos = 5_500_000; // a late update: one edge, next period realigned
        pit.update(nanos);
        assertEquals(2, edges);
        assertTrue(pit.nextEvent() > nanos && pit.nextEvent() <= nanos + 1_000_000);
    }

    @Test
    void latchedCountReadsBackLowThenHigh() {
        Pit8254 pit = pit();
        pit.out(0x43, 1, 0x30); // channel 0, lobyte/hibyte, mode 0
        pit.out(0x40, 1, 0x00);
        pit.out(0x40, 1, 0x10); // 4096
        nanos = 1_000_000; // 1193 ticks later
        pit.out(0x43, 1, 0x00); // latch channel 0
        nanos = 2_000_000; // the latch holds the old value
        int count = pit.in(0x40, 1) | pit.in(0x40, 1) << 8;
        assertEquals(4096 - 1193, count, 1);
    }

    @Test
    void channel2GateAndOutputThroughPort61() {
        Pit8254 pit = pit();
        pit.out(0x61, 1, 0x01); // gate on
        pit.out(0x43, 1, 0xB0); // channel 2, lobyte/hibyte, mode 0
        pit.out(0x42, 1, 100);
        pit.out(0x42, 1, 0);
        assertEquals(0, pit.in(0x61, 1) & 0x20, "OUT low while counting");
        nanos = 100_000; // 119 ticks > 100
        assertEquals(0x20, pit.in(0x61, 1) & 0x20, "OUT high at terminal count");
    }
}
