package dev.vmm.core.sched;

import dev.vmm.core.ExitStatus;
import dev.vmm.core.Machine;
import dev.vmm.core.MachineConfig;
import dev.vmm.core.boot.ImageException;
import dev.vmm.images.ImageCatalog;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * images/smp on N vCPUs under both schedulers: the guest finds the CPUs through the MADT (and fw_cfg
 * agrees), starts each AP with INIT-SIPI-SIPI into a real-mode trampoline, every AP reaches long mode and
 * reports an APIC ID equal to its CPUID initial APIC ID, IPIs ping-pong, and every CPU counts its own
 * timer interrupts. The guest's own checks end in a debug-exit value; this test checks the report too.
 */
class SmpKernelTest {
    record Result(ExitStatus status, String serial, long instructions) { }

    static Result boot(int smp, Scheduler.Kind kind, long seed) throws ImageException {
        return boot(smp, kind, seed, "", false);
    }

    static Result boot(int smp, Scheduler.Kind kind, long seed, String cmdline, boolean hostClock) throws ImageException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MachineConfig cfg = new MachineConfig(64L << 20, cmdline, List.of(), smp).withScheduling(kind, seed, hostClock);
        try (Machine m = new Machine(cfg, out, null)) {
            m.loadMultiboot("smp", ImageCatalog.find("smp").orElseThrow());
            ExitStatus s = m.run();
            return new Result(s, out.toString(StandardCharsets.US_ASCII), m.instructionsExecuted());
        }
    }

    static List<Integer> apReports(String serial) {
        List<Integer> ids = new ArrayList<>();
        Matcher m = Pattern.compile("AP in long mode, APIC ID (\\d+) \\(CPUID initial APIC ID (\\d+)\\)").matcher(serial);
        while (m.find()) {
            assertEquals(m.group(1), m.group(2), "APIC ID register vs CPUID leaf 1");
            ids.add(Integer.parseInt(m.group(1)));
        }
        return ids;
    }

    @ParameterizedTest(name = "--smp {0} --scheduler {1}")
    @CsvSource({"1, DETERMINISTIC", "2, DETERMINISTIC", "4, DETERMINISTIC", "16, DETERMINISTIC",
                "1, PARALLEL", "2, PARALLEL", "4, PARALLEL", "16, PARALLEL"})
    void everyCpuComesUpPingsAndCountsItsTimer(int smp, Scheduler.Kind kind) throws ImageException {
        check(boot(smp, kind, 1), smp);
    }

    /** INIT and a single SIPI to "all excluding self", back to back, must start every AP too. */
    @ParameterizedTest(name = "broadcast --smp {0} --scheduler {1}")
    @CsvSource({"4, DETERMINISTIC", "16, DETERMINISTIC", "4, PARALLEL", "16, PARALLEL"})
    void broadcastInitAndOneSipiStartAllAps(int smp, Scheduler.Kind kind) throws ImageException {
        Result r = boot(smp, kind, 7, "broadcast", false);
        assertTrue(r.serial.contains("INIT and one SIPI to all excluding self"), r.serial);
        check(r, smp);
    }

    /** The same kernel with every local APIC switched to x2APIC mode: registers through MSRs 0x800+. */
    @ParameterizedTest(name = "x2apic --smp {0} --scheduler {1}")
    @CsvSource({"1, DETERMINISTIC", "4, DETERMINISTIC", "16, DETERMINISTIC", "4, PARALLEL", "16, PARALLEL"})
    void x2apicModeWorksToo(int smp, Scheduler.Kind kind) throws ImageException {
        Result r = boot(smp, kind, 3, "x2apic", false);
        assertTrue(r.serial.contains("local APICs in x2APIC mode"), r.serial);
        check(r, smp);
    }

    @ParameterizedTest(name = "--clock host --scheduler {0}")
    @CsvSource({"DETERMINISTIC", "PARALLEL"})
    void hostClockRunsTheTimersToo(Scheduler.Kind kind) throws ImageException {
        check(boot(2, kind, 0, "", true), 2);
    }

    private static void check(Result r, int smp) {
        String s = r.serial;
        assertEquals(ExitStatus.Kind.DEBUG_EXIT, r.status.kind(), s + r.status.report());
        assertEquals(1, r.status.exitCode(), "debug-exit value 0 = the guest's checks passed\n" + s);
        assertTrue(s.contains("acpi: MADT lists " + smp + " CPUs, local APIC at 0xfee00000, IOAPIC at 0xfec00000"), s);
        assertTrue(s.contains("fw_cfg: QEMU, NB_CPUS " + smp + "\n"), s);
        assertTrue(s.contains("smp: " + smp + " CPUs up"), s);
        List<Integer> aps = apReports(s);
        TreeSet<Integer> expected = new TreeSet<>();
        for (int i = 1; i < smp; i++) expected.add(i);
        assertEquals(expected, new TreeSet<>(aps), "each AP reports once: " + aps);
        assertEquals(smp - 1, aps.size());
        Matcher sum = Pattern.compile("summary: APIC ID (\\d+): timer (\\S+) interrupts (\\d+), pings answered (\\d+)").matcher(s);
        int lines = 0;
        while (sum.find()) {
            int id = Integer.parseInt(sum.group(1));
            assertEquals(List.of("periodic", "one-shot", "TSC-deadline").get(id % 3), sum.group(2));
            assertTrue(Integer.parseInt(sum.group(3)) >= 4, "each CPU counted its own timer: " + sum.group());
            assertEquals(id == 0 ? (smp == 1 ? 8 : 0) : 8, Integer.parseInt(sum.group(4)), sum.group());
            lines++;
        }
        assertEquals(smp, lines, s);
        assertTrue(s.contains("smp: ping-pong IPIs " + (smp == 1 ? 8 : 8 * (smp - 1)) + ","), s);
    }
}
