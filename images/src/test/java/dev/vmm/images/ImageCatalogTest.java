package dev.vmm.images;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.*;

/** The committed binaries are really packaged, listed, and Multiboot kernels. */
class ImageCatalogTest {

    @Test
    void listsTheKernels() {
        assertTrue(ImageCatalog.names().containsAll(java.util.List.of("hello", "bench")), ImageCatalog.names().toString());
        assertFalse(ImageCatalog.description("hello").orElseThrow().isBlank());
    }

    @Test
    void everyListedImageIsPresentWithAValidMultibootHeader() {
        for (String name : ImageCatalog.names()) {
            byte[] image = ImageCatalog.find(name).orElseThrow(() -> new AssertionError(name + ".bin missing"));
            assertTrue(hasMultibootHeader(image), name + ": no valid Multiboot header in the first 8192 bytes");
        }
    }

    @Test
    void unknownOrOddNamesAreEmpty() {
        assertTrue(ImageCatalog.find("nosuchkernel").isEmpty());
        assertTrue(ImageCatalog.find("../images/hello").isEmpty());
        assertTrue(ImageCatalog.find("index").isEmpty());
        assertTrue(ImageCatalog.find(null).isEmpty());
    }

    /** Magic 0x1BADB002, 4-byte aligned, all three words within the first 8192 bytes, with magic + flags + checksum == 0. */
    static boolean hasMultibootHeader(byte[] image) {
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        for (int off = 0; off + 12 <= Math.min(image.length, 8192); off += 4) {
            if (b.getInt(off) == 0x1BADB002 && b.getInt(off) + b.getInt(off + 4) + b.getInt(off + 8) == 0) {
                return true;
            }
        }
        return false;
    }
}
