package dev.vmm.console;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code vmm bench-vm}: its output, its argument checks, and the host yardstick's parsing. */
class BenchVmCommandTest {
    @Test
    void printsTheGuestFaultRateAndPmapEnterRate() {
        CliTest.Outcome o = CliTest.vmm("bench-vm", "--pages", "256", "--warmup", "1", "--repeat", "3", "--no-host");
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("round 3: 256 faults in "), o.out());
        assertTrue(o.out().matches("(?s).*guest faults/s: \\d+ \\(median of 3.*"), o.out());
        assertTrue(o.out().matches("(?s).*pmap_enter/s: \\d+ in the fault path, \\d+ alone.*"), o.out());
    }

    @Test
    void badArgumentsAreUsageErrors() {
        CliTest.Outcome o = CliTest.vmm("bench-vm", "--pages", "0");
        assertEquals(2, o.status());
        assertTrue(o.err().contains("--pages must be in 1..1048576, got 0"), o.err());
    }

    @Test
    void theHostYardstickCountsOneMinorFaultPerPage() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")) || Files.isExecutable(Path.of("/usr/local/bin/gcc")), "no gcc");
        HostFaultYardstick.Measurement m = HostFaultYardstick.measure(HostFaultYardstick.source(), 2048, 3);
        assertEquals(3, m.repetitions());
        // Every first touch is a minor fault; a stray fault of the program itself may add one or two.
        assertTrue(m.faults() >= 2048 && m.faults() < 2048 + 16, "minor faults: " + m.faults());
        assertTrue(m.faultsPerSecond() > 0);
    }

    @Test
    void aProgramThatPrintsNothingUsableIsUnavailable() {
        assertThrows(NativeYardstick.Unavailable.class, () -> HostFaultYardstick.parse("hello\n"));
    }
}
