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
        "gp-selector", "double-fault-ist", "int3", "into-64", "into-compat", "single-step", "mov-ss-shadow",
        "sti-shadow", "dr-exec", "dr-write", "dr-readwrite", "dr7-gd", "iretq-ring3", "int-ring3-rsp0", "int-ist",
        "icebp", "syscall-sysret", "pf-user");

    @Test
    void everyCasePassesAndTheKernelExitsWithZero() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExitStatus st;
        try (Machine m = new Machine(MachineConfig.defaults(), out, null)) {
            m.loadMultiboot("modetest", ImageCatalog.find("modetest").orElseThrow());
            st = m.run();
        }
        String serial = out.toString(StandardCharsets.ISO_8859_1);
        assertFalse(serial.contains("FAIL"), serial);
        for (String c : CASES) assertTrue(serial.contains("PASS " + c + "\n"), c + " in\n" + serial);
        assertTrue(serial.contains("modetest: failures 0x0000000000000000"), serial);
        assertEquals(ExitStatus.Kind.DEBUG_EXIT, st.kind(), st::toString);
        assertEquals(1, st.exitCode(), "isa-debug-exit with 0: QEMU's (0 << 1) | 1");
    }
}
