package dev.vmm.core.devices;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * DESIGN.md: vmm-core must not import Netty or JLine; the console adapts sockets and terminals to the
 * devices' byte interfaces. This guards the devices package until a module-wide architecture test does.
 */
class DevicesImportsTest {

    @Test
    void devicesImportNeitherNettyNorJLine() throws IOException {
        Path dir = Path.of("src/main/java/dev/vmm/core/devices");
        assertTrue(Files.isDirectory(dir), "run from the vmm-core module directory");
        List<String> offenders;
        try (Stream<Path> files = Files.list(dir)) {
            offenders = files.filter(p -> p.toString().endsWith(".java")).filter(p -> {
                try {
                    String src = Files.readString(p);
                    return src.contains("import io.netty") || src.contains("import org.jline");
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }).map(Path::toString).toList();
        }
        assertEquals(List.of(), offenders);
    }
}
