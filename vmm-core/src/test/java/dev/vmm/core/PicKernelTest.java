package dev.vmm.core;

import dev.vmm.core.boot.ImageException;
import dev.vmm.core.sched.Scheduler;
import dev.vmm.images.ImageCatalog;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * images/pictest: a kernel that takes PIT interrupts from the 8259s and never programs the local APIC
 * (the first chapters of most hobby-OS tutorials). Its interrupts must arrive through the BSP's LINT0
 * in ExtINT mode (the BIOS's virtual wire), then with the APIC disabled in IA32_APIC_BASE, and none
 * once the APIC is enabled again with LINT0 masked; the guest counts them and exits with its verdict.
 */
class PicKernelTest {
    @Timeout(120) // a regression must fail, not hang in HLT
    @ParameterizedTest(name = "--smp {0} --scheduler {1}")
    @CsvSource({"1, DETERMINISTIC", "2, DETERMINISTIC", "1, PARALLEL", "2, PARALLEL"})
    void timerInterruptsComeThroughThe8259s(int smp, Scheduler.Kind kind) throws ImageException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MachineConfig cfg = new MachineConfig(64L << 20, "", List.of(), smp).withScheduling(kind, 1, false);
        ExitStatus s;
        try (Machine m = new Machine(cfg, out, null)) {
            m.loadMultiboot("pictest", ImageCatalog.find("pictest").orElseThrow());
            s = m.run();
        }
        String serial = out.toString(StandardCharsets.US_ASCII);
        assertTrue(serial.contains("pictest: 20 timer interrupts at vector 0x20 through LINT0 (ExtINT)"), serial);
        assertTrue(serial.contains("pictest: 20 more with the APIC disabled (INTR direct)"), serial);
        assertTrue(serial.contains("pictest: none with the APIC re-enabled (LINT0 masked)"), serial);
        assertTrue(serial.contains("pictest: PASS"), serial);
        assertEquals(ExitStatus.Kind.DEBUG_EXIT, s.kind(), s.toString());
        assertEquals(1, s.exitCode(), "isa-debug-exit with 0: (0 << 1) | 1");
    }
}
