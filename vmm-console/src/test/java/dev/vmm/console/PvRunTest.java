package dev.vmm.console;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code vmm run --pv}: the pv guest kernel passes, and too little RAM for the pool is a one-line error. */
class PvRunTest {
    @Test
    @Tag("needs-machine")
    void thePvTestKernelPassesUnderRunPv() {
        assumeTrue(MachineAvailable.hasImage("pvtest"), "no pvtest image in the catalog");
        CliTest.Outcome o = CliTest.vmm("run", "--pv", "--mem", "32M", "pvtest");
        assertTrue(o.out().contains("pvtest: all passed"), o.out() + o.err());
        assertFalse(o.out().contains("FAIL"), o.out());
        assertEquals(1, o.status(), "debug exit with 0: (0 << 1) | 1");
    }

    @Test
    void tooLittleRamForThePoolIsAUserError() {
        CliTest.Outcome o = CliTest.vmm("run", "--pv", "--mem", "4M", "pvtest");
        assertEquals(Vmm.EXIT_USAGE, o.status());
        assertEquals(1, o.errLines().size(), o.err());
        assertTrue(o.err().contains("--pv needs --mem of at least 8M"), o.err());
        assertFalse(o.err().contains("internal error"), o.err());
    }
}
