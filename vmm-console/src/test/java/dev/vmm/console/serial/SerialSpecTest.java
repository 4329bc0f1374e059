package dev.vmm.console.serial;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parsing of {@code --serial} values. */
class SerialSpecTest {
    @Test
    void parsesEveryForm() {
        assertEquals(SerialSpec.STDIO, SerialSpec.parse("stdio"));
        assertEquals(SerialSpec.NONE, SerialSpec.parse("NONE"));
        SerialSpec d = SerialSpec.parse("tcp::4555");
        assertEquals("127.0.0.1", d.host());
        assertEquals(4555, d.port());
        assertTrue(d.telnet());
        assertFalse(d.waitForClient());
        assertFalse(d.hostGiven());
        assertEquals("tcp:127.0.0.1:4555,telnet", d.toString());
        assertEquals(d, SerialSpec.parse("tcp:4555"));
        SerialSpec w = SerialSpec.parse("tcp:0.0.0.0:0,wait,raw");
        assertEquals("0.0.0.0", w.host());
        assertTrue(w.hostGiven());
        assertTrue(w.waitForClient());
        assertFalse(w.telnet());
        assertEquals("tcp:0.0.0.0:0,wait,raw", w.toString());
        SerialSpec v6 = SerialSpec.parse("tcp:[::1]:23,telnet,wait");
        assertEquals("::1", v6.host());
        assertEquals(23, v6.port());
        assertEquals("tcp:[::1]:23,wait,telnet", v6.toString());
        assertEquals("localhost", SerialSpec.parse("tcp:localhost:1").host());
    }

    @Test
    void rejectsWithOneLineNamingTheProblem() {
        for (String[] bad : new String[][] {
                {"pty", "is not stdio, none or tcp"},
                {"tcp:", "missing PORT"},
                {"tcp:host:", "missing PORT"},
                {"tcp::http", "'http' is not a port number"},
                {"tcp::65536", "out of range 0..65535"},
                {"tcp::-1", "out of range"},
                {"tcp::1,fast", "unknown flag 'fast'"},
                {"tcp::1,raw,telnet", "one of telnet or raw"},
                {"tcp::1,wait,wait", "wait given twice"},
                {"tcp:::1:5", "IPv6"},
                {"tcp:[::1:5", "IPv6"},
        }) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SerialSpec.parse(bad[0]), bad[0]);
            assertTrue(e.getMessage().contains(bad[1]), bad[0] + ": " + e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
    }
}
