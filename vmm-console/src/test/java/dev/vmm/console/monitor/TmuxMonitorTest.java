package dev.vmm.console.monitor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The monitor in a real terminal: `vmm monitor hello` in a detached tmux pane, driven by send-keys,
 * the screen read with capture-pane. Proves line editing (cursor movement and deletion), tab completion
 * of commands and subcommands, and history recall with the arrow key, plus the history file. Skipped
 * when tmux is absent (.ci/run installs it).
 */
class TmuxMonitorTest {
    @TempDir
    Path tmp;

    private final String session = "vmm-monitor-test-" + ProcessHandle.current().pid();
    private boolean started;

    @AfterEach
    void kill() throws Exception {
        if (started) tmux("kill-session", "-t", session);
    }

    @Test
    void editingCompletionAndHistoryInARealTerminal() throws Exception {
        assumeTrue(tmux("-V") != null, "tmux not installed");
        String java = ProcessHandle.current().info().command().orElse("java");
        Path history = tmp.resolve("history");
        String cmd = String.join(" ", quote(java), "-cp", quote(System.getProperty("java.class.path")),
            "dev.vmm.console.Vmm", "run", "hello", "-S", "--monitor-history", quote(history.toString()));
        assertNotNull(tmux("new-session", "-d", "-s", session, "-x", "150", "-y", "50", "env", "TERM=xterm-256color", "sh", "-c", cmd));
        started = true;
        String screen = waitFor(s -> s.contains("(vmm)"), "the prompt");
        assertTrue(screen.contains("stopped: cpu0 at 0x10000c: cli"), screen);

        // completion: "inf<Tab>" -> "info ", "reg<Tab>" -> "registers"
        keys("inf", "Tab");
        waitFor(s -> s.contains("(vmm) info"), "info completed");
        keys("reg", "Tab", "Enter");
        screen = waitFor(s -> s.contains("RAX=000000002badb002"), "info registers output");
        assertTrue(screen.contains("(vmm) info registers"), screen);

        // editing: type "sxtep 2", go to the start, move right, delete the x, run it
        keys("sxtep 2", "C-a", "Right", "DC", "Enter");
        screen = waitFor(s -> s.contains("2 instructions; cpu0 at 0x10000e"), "step 2 after the edit");
        assertTrue(screen.contains("(vmm) step 2"), screen);

        // history: Up recalls "step 2"
        keys("Up", "Enter");
        screen = waitFor(s -> s.contains("2 instructions; cpu0 at 0x100019"), "the recalled step 2 ran again");

        keys("quit", "Enter");
        for (int i = 0; i < 200 && tmux("has-session", "-t", session) != null; i++) Thread.sleep(50);   // the shell ended
        assertNull(tmux("has-session", "-t", session), "quit ends the monitor and with it the pane");
        started = false;
        for (int i = 0; i < 100 && !Files.exists(history); i++) Thread.sleep(50);
        List<String> h = Files.readAllLines(history);
        assertTrue(h.stream().anyMatch(l -> l.endsWith("info registers")), h.toString());
        assertTrue(h.stream().filter(l -> l.endsWith("step 2")).count() >= 1, h.toString());
    }

    private void keys(String... k) throws Exception {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", session));
        args.addAll(List.of(k));
        assertNotNull(tmux(args.toArray(String[]::new)));
        Thread.sleep(150);
    }

    private String waitFor(Predicate<String> ok, String what) throws Exception {
        String s = "";
        for (int i = 0; i < 300; i++) {
            s = tmux("capture-pane", "-p", "-t", session, "-S", "-200");
            if (s != null && ok.test(s)) return s;
            Thread.sleep(100);
        }
        fail("timed out waiting for " + what + "; screen:\n" + s);
        return s;
    }

    private static String quote(String s) { return "'" + s.replace("'", "'\\''") + "'"; }

    private static String tmux(String... args) throws InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", "vmm-test"));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) { p.destroy(); return null; }
            return p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        }
    }
}
