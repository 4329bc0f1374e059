package dev.vmm.console;

import dev.vmm.core.Machine;
import dev.vmm.core.MachineConfig;
import dev.vmm.images.ImageCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code vmm run IMAGE --monitor stdio} with {@code --serial}: the ports are opened as without the
 * monitor (a stdio port prints above the prompt), and {@code info console} shows each port's counters.
 */
class MonitorSerialTest {
    @TempDir
    Path tmp;

    private Path script(String... lines) throws Exception {
        Path f = tmp.resolve("script");
        Files.write(f, List.of(lines));
        return f;
    }

    @Test
    void com1PrintsAboveThePromptByDefaultAndInfoConsoleCountsItsBytes() throws Exception {
        ByteArrayOutputStream direct = new ByteArrayOutputStream();
        try (Machine vm = new Machine(new MachineConfig(64L << 20, "", List.of(), 1), direct, null)) {
            vm.loadMultiboot("hello", ImageCatalog.find("hello").orElseThrow());
            vm.run();
        }
        int printed = direct.size();   // what hello sends on COM1, counted without the monitor
        assertTrue(printed > 20);
        CliTest.Outcome o = CliTest.vmm("run", "hello", "--mem", "64M", "--monitor", "stdio", "-S", "--monitor-script",
            script("cont --wait", "info console", "info console --json", "quit").toString());
        assertTrue(o.out().contains("mmap 0x"), "the guest's output shows above the prompt: " + o.out());
        assertTrue(o.out().contains("COM1 (0x3f8): stdio (printed above the prompt); UART transmitted " + printed + ", received 0"), o.out());
        assertTrue(o.out().contains("\"port\":\"COM1\",\"base\":1016,\"transmitted\":" + printed), o.out());
    }

    @Test
    void serialOptionsAreHonouredUnderTheMonitor() throws Exception {
        CliTest.Outcome o = CliTest.vmm("run", "hello", "--mem", "64M", "--serial", "none", "--serial", "tcp:127.0.0.1:0,raw",
            "--monitor", "stdio", "-S", "--monitor-script", script("info console", "cont --wait", "info console", "quit").toString());
        Matcher m = Pattern.compile("COM2: raw console on 127\\.0\\.0\\.1:(\\d+)").matcher(o.err());
        assertTrue(m.find(), "the console server listens as without the monitor: " + o.err());
        assertFalse(o.out().contains("mmap 0x"), "COM1 is 'none': nothing of the guest's output shows: " + o.out());
        assertTrue(o.out().contains("machine ended: debug exit"), o.out());
        assertTrue(o.out().contains("COM1 (0x3f8): none; UART transmitted"), o.out());
        assertTrue(o.out().contains("COM2 (0x2f8): tcp:127.0.0.1:" + m.group(1) + ",raw; UART transmitted 0"), o.out());
        assertTrue(o.out().contains("  console server: connections=0 clients=0"), o.out());

        CliTest.Outcome bad = CliTest.vmm("monitor", "hello", "--serial", "stdio", "--serial", "stdio");
        assertEquals(2, bad.status(), bad.err());
        assertTrue(bad.err().contains("--serial stdio given twice"), bad.err());
    }
}
