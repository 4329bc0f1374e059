package dev.vmm.core;

import dev.vmm.core.devices.Ns16550;
import dev.vmm.core.devices.SerialLine;
import dev.vmm.core.devices.SerialSink;
import dev.vmm.core.devices.SerialSource;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The Machine constructor that takes one {@link SerialLine} per COM port. */
class MachineSerialLinesTest {
    private static final MachineConfig SMALL = new MachineConfig(4L << 20, "", List.of(), 1);

    @Test
    void eachLineGetsAUartAtItsPcAddress() {
        ByteArrayOutputStream com1 = new ByteArrayOutputStream(), com3 = new ByteArrayOutputStream();
        ArrayDeque<Integer> com3In = new ArrayDeque<>(List.of((int) 'x'));
        SerialLine line1 = new SerialLine(com1::write, SerialSource.NONE);
        SerialLine line3 = new SerialLine(com3::write, () -> com3In.isEmpty() ? -1 : com3In.poll());
        try (Machine m = new Machine(SMALL, Arrays.asList(line1, null, line3))) {
            assertEquals(2, m.serialPorts().size());
            assertNotNull(m.ioBus().rangeAt(Ns16550.COM1_BASE));
            assertNull(m.ioBus().rangeAt(Ns16550.COM2_BASE), "COM2 was not asked for");
            assertNotNull(m.ioBus().rangeAt(Ns16550.COM3_BASE));
            assertNull(m.ioBus().rangeAt(Ns16550.COM4_BASE));
            m.ioBus().out(Ns16550.COM1_BASE, 1, 'a');
            m.ioBus().out(Ns16550.COM3_BASE, 1, 'c');
            assertEquals("a", com1.toString());
            assertEquals("c", com3.toString());
            // COM3's receiver pulls from its own source: LSR.DR, then the byte.
            assertEquals(Ns16550.LSR_DR, m.ioBus().in(Ns16550.COM3_BASE + Ns16550.LSR, 1) & Ns16550.LSR_DR);
            assertEquals('x', m.ioBus().in(Ns16550.COM3_BASE, 1));
            assertEquals(0, m.ioBus().in(Ns16550.COM1_BASE + Ns16550.LSR, 1) & Ns16550.LSR_DR);
        }
    }

    @Test
    void allFourPortsAndComOneAlwaysPresent() {
        SerialLine d = SerialLine.DISCONNECTED;
        try (Machine m = new Machine(SMALL, List.of(d, d, d, d))) {
            assertEquals(List.of(0x3F8, 0x2F8, 0x3E8, 0x2E8),
                m.serialPorts().stream().map(u -> u.base()).toList());
        }
        try (Machine m = new Machine(SMALL, List.of())) {
            assertEquals(1, m.serialPorts().size());
            assertNotNull(m.ioBus().rangeAt(Ns16550.COM1_BASE));
        }
        assertThrows(IllegalArgumentException.class, () -> new Machine(SMALL, List.of(d, d, d, d, d)));
    }

    @Test
    void closeFlushesEverySink() {
        int[] flushes = new int[2];
        SerialSink s0 = new SerialSink() {
            public void write(byte b) { }
            public void flush() { flushes[0]++; }
        };
        SerialSink s1 = new SerialSink() {
            public void write(byte b) { }
            public void flush() { flushes[1]++; }
        };
        new Machine(SMALL, List.of(new SerialLine(s0, SerialSource.NONE), new SerialLine(s1, SerialSource.NONE))).close();
        assertEquals(1, flushes[0]);
        assertEquals(1, flushes[1]);
    }
}
