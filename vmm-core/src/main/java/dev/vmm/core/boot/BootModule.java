package dev.vmm.core.boot;

import java.util.Objects;

/**
 * A Multiboot module: bytes the boot loader places in RAM for the kernel (an initrd, a file system
 * image), with the string the kernel sees as the module's command line.
 *
 * @param name  the module's string, usually its file name followed by arguments
 * @param bytes the module's contents; not copied, so do not change them while loading
 */
public record BootModule(String name, byte[] bytes) {
    public BootModule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bytes, "bytes");
    }
}
