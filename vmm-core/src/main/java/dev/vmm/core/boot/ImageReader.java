package dev.vmm.core.boot;

/**
 * Bounds-checked little-endian reads from an image file. A read past the end is a truncated image, so
 * it becomes an {@link ImageException} naming what was being read, never an index exception.
 */
final class ImageReader {
    private final String name;
    private final byte[] bytes;

    ImageReader(String name, byte[] bytes) {
        this.name = name;
        this.bytes = bytes;
    }

    String name() { return name; }

    int length() { return bytes.length; }

    byte[] bytes() { return bytes; }

    /** Whether [offset, offset+len) lies inside the file; safe against overflow and negative values. */
    boolean has(long offset, long len) {
        return offset >= 0 && len >= 0 && offset <= bytes.length && len <= bytes.length - offset;
    }

    /** Fails with "truncated {@code what}" unless [offset, offset+len) lies inside the file. */
    void require(long offset, long len, String what) throws ImageException {
        if (!has(offset, len)) {
            throw fail("truncated " + what + String.format(" (needs bytes %#x-%#x, file is %d bytes)",
                    offset, offset + len - 1, bytes.length));
        }
    }

    int u8(long offset, String what) throws ImageException {
        require(offset, 1, what);
        return bytes[(int) offset] & 0xFF;
    }

    int u16(long offset, String what) throws ImageException {
        require(offset, 2, what);
        return (int) raw(offset, 2);
    }

    /** An unsigned 32-bit value, zero-extended. */
    long u32(long offset, String what) throws ImageException {
        require(offset, 4, what);
        return raw(offset, 4);
    }

    /** A 64-bit value; callers treat a negative result as "too large" (unsigned above 2^63). */
    long u64(long offset, String what) throws ImageException {
        require(offset, 8, what);
        return raw(offset, 8);
    }

    private long raw(long offset, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = (v << 8) | (bytes[(int) offset + i] & 0xFF);
        return v;
    }

    ImageException fail(String problem) {
        return new ImageException(name, problem);
    }
}
