package dev.vmm.core.boot;

import dev.vmm.images.ImageCatalog;
import dev.vmm.mmu.PhysicalMemory;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The kernels of the images module, built by a real toolchain, load: one ELF32, one a.out kludge. */
class ShippedImagesTest {

    @Test
    void everyCatalogImageLoads() throws ImageException {
        for (String name : ImageCatalog.names()) {
            byte[] image = ImageCatalog.find(name).orElseThrow();
            PhysicalMemory mem = new PhysicalMemory(64 << 20);
            BootImage boot = MultibootLoader.load(mem, name + ".bin", image, "console=ttyS0", List.of());
            assertTrue(boot.entry() >= boot.kernelStart() && boot.entry() < boot.kernelEnd(), name);
            assertTrue(boot.infoAddr() >= boot.kernelEnd(), name);
        }
    }

    @Test
    void helloIsElf32EnteredAtItsElfEntry() throws ImageException {
        byte[] image = ImageCatalog.find("hello").orElseThrow();
        assertEquals(1, image[4], "ELFCLASS32");
        BootImage boot = MultibootLoader.load(new PhysicalMemory(64 << 20), "hello.bin", image, null, List.of());
        assertEquals(0x100000, boot.kernelStart());
        long eEntry = (image[24] & 0xFF) | (image[25] & 0xFF) << 8 | (image[26] & 0xFF) << 16 | (long) (image[27] & 0xFF) << 24;
        assertEquals(eEntry, boot.entry());
    }

    @Test
    void benchIsTheAoutKludgeKernelAt1MiB() throws ImageException {
        byte[] image = ImageCatalog.find("bench").orElseThrow();
        PhysicalMemory mem = new PhysicalMemory(64 << 20);
        BootImage boot = MultibootLoader.load(mem, "bench.bin", image, null, List.of());
        assertEquals(0x100000, boot.kernelStart());
        assertEquals(1000, mem.read64(0x100020), "the patchable iteration count");
    }
}
