package dev.vmm.core;

import dev.vmm.images.ImageCatalog;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * images/modetest on a whole machine: the kernel checks each processor-mode transition and exception
 * rule itself (real mode and big real mode, protected and long mode, ring changes, SYSCALL/SYSRET,
 * #PF/#GP/#DF/#BP/#OF/#UD/#DB delivery, interrupt shadows) and prints PASS or FAIL per case; the
 * expected values are written in the kernel from the Intel SDM.
 */
class ModeTestImageTest {
    static final List<String> CASES = List.of("real-mode", "big-real-mode", "real-mode-limit", "pf-read", "pf-write",
        "gp-selector", "ss-noncanonical", "double-fault-ist", "int3", "into-64", "into-compat", "compat-limits", "single-step", "mov-ss-shadow",
        "sti-shadow", "dr-exec", "dr-write", "dr-readwrite", "dr7-gd", "iretq-ring3", "int-ring3-rsp0", "int-ist",
        "icebp", "syscall-sysret", "pf-user");

    private record Run(String serial, ExitStatus status) { }

    private static Run boot(String image) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Machine m = new Machine(MachineConfig.defaults(), out, null)) {
            m.loadMultiboot(image, ImageCatalog.find(image).orElseThrow());
            ExitStatus st = m.run();
            return new Run(out.toString(StandardCharsets.ISO_8859_1), st);
        }
    }

    @Test
    void everyCasePassesAndTheKernelExitsWithZero() throws Exception {
        Run r = boot("modetest");
        String serial = r.serial;
        ExitStatus st = r.status;
        assertFalse(serial.contains("FAIL"), serial);
        for (String c : CASES) assertTrue(serial.contains("PASS " + c + "\n"), c + " in\n" + serial);
        assertTrue(serial.contains("modetest: failures 0x0000000000000000"), serial);
        assertEquals(ExitStatus.Kind.DEBUG_EXIT, st.kind(), st::toString);
        assertEquals(1, st.exitCode(), "isa-debug-exit with 0: QEMU's (0 << 1) | 1");
    }

    @Test
    void stackOverflowOnTheIstStackIsA64BitTripleFault() throws Exception {
        Run r = boot("modetest-triple");
        assertTrue(r.serial.contains("modetest: failures 0x0000000000000000"), r.serial);
        assertTrue(r.serial.contains("modetest: #PF and #DF on an unmapped IST stack"), r.serial);
        assertFalse(r.serial.contains("FAIL"), r.serial);
        assertEquals(ExitStatus.Kind.TRIPLE_FAULT, r.status.kind(), r.status::toString);
        assertEquals(Machine.EXIT_TRIPLE_FAULT, r.status.exitCode());
        // #PF pushing the #PF frame -> #DF, whose frame push faults again (SDM table 6-5)
        assertTrue(r.status.report().contains("triple fault: #PF(0x2) while delivering #DF"), r.status.report());
    }
}
