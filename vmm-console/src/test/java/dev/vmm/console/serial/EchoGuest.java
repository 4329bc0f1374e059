package dev.vmm.console.serial;

import dev.vmm.core.ExitStatus;
import dev.vmm.core.Machine;
import dev.vmm.core.MachineConfig;
import dev.vmm.images.ImageCatalog;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The echo guest (images/echo) running on its own thread with COM1 served by a {@link ConsoleServer}:
 * the fixture of the end-to-end console tests.
 */
final class EchoGuest implements AutoCloseable {
    final ConsoleServer server;
    final ConsolePort port;
    final Machine machine;
    final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    private final Thread vcpu;

    EchoGuest(String spec, ConsoleServer.Settings settings) throws Exception {
        Optional<byte[]> image = ImageCatalog.find("echo");
        assumeTrue(image.isPresent(), "the echo image is not in the catalog");
        server = new ConsoleServer(settings);
        port = server.listen("COM1", SerialSpec.parse(spec));
        machine = new Machine(new MachineConfig(16L << 20, "", List.of(), 1), List.of(port.line()));
        machine.loadMultiboot("echo", image.get());
        vcpu = Thread.ofPlatform().name("test-vcpu").start(() -> {
            try {
                exit.complete(machine.run());
            } catch (Throwable t) {
                exit.completeExceptionally(t);
            }
        });
    }

    int tcpPort() { return port.localAddress().getPort(); }

    ExitStatus awaitExit() throws Exception {
        return exit.get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        machine.stop();
        try {
            vcpu.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        machine.close();
        server.close();
    }
}
