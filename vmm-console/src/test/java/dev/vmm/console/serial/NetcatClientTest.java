package dev.vmm.console.serial;

import dev.vmm.core.ExitStatus;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A real client, OpenBSD netcat, on a raw console port: what the README tells users to do. */
@Tag("needs-machine")
@Timeout(60)
class NetcatClientTest {

    static String which(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, tool);
            if (f.canExecute()) return f.getPath();
        }
        return null;
    }

    @Test
    void ncTalksToTheEchoGuest() throws Exception {
        String nc = which("nc");
        assumeTrue(nc != null, "nc is not installed (.ci/run installs netcat-openbsd)");
        EchoGuest g = new EchoGuest("tcp::0,raw", ConsoleServer.Settings.defaults());
        try {
            // -N: shut the socket's write side at end of input (OpenBSD nc); -q is the Debian equivalent.
            Process p = new ProcessBuilder(nc, "-N", "127.0.0.1", Integer.toString(g.tcpPort()))
                    .redirectErrorStream(true).start();
            p.getOutputStream().write("hello from nc\u0004".getBytes(StandardCharsets.ISO_8859_1));
            p.getOutputStream().close();
            // nc's input has ended, yet it still gets the guest's answer; the session ends when the
            // machine stops and the server closes the connection.
            ExitStatus exit = g.awaitExit();
            assertEquals(ExitStatus.Kind.DEBUG_EXIT, exit.kind());
            g.close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
            assertEquals("echo: ready\r\nhello from nc\r\necho: bye\r\n", out);
        } finally {
            g.close();
        }
    }
}
