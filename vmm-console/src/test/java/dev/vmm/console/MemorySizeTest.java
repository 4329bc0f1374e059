package dev.vmm.console;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemorySizeTest {
    @ParameterizedTest
    @CsvSource({
        "256M, 268435456",
        "256m, 268435456",
        "2M, 2097152",
        "4096K, 4194304",
        "1G, 1073741824",
        "1g, 1073741824",
        "1GiB, 1073741824",
        "1GB, 1073741824",
        "64G, 68719476736",
        "1T, 1099511627776",
        "268435456, 268435456",
        "1536M, 1610612736",
    })
    void parsesSuffixesAndPlainBytes(String text, long bytes) {
        assertEquals(bytes, MemorySize.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "M", "abc", "-1G", "1.5G", "12Q", "G1", "1 G", "0", "0M", "1M", "1000000",
        "1048577", "1025K", "2T", "99999999999999999999", "9223372036854775807G"})
    void refusesWithAMessage(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MemorySize.parse(text));
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
    }

    @Test
    void saysWhyANonMultipleOfOneMiBIsRefused() {
        assertTrue(MemorySize.parse("1025M") > 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MemorySize.parse("1000000"));
        assertTrue(e.getMessage().contains("multiple of 1 MiB"), e.getMessage());
    }

    @Test
    void formatsTheShortestExactForm() {
        assertEquals("256M", MemorySize.format(256L << 20));
        assertEquals("64G", MemorySize.format(64L << 30));
        assertEquals("1536M", MemorySize.format(1536L << 20));
        assertEquals("1T", MemorySize.format(1L << 40));
        assertEquals("1000", MemorySize.format(1000));
    }
}
