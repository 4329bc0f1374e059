package dev.vmm.console;

/**
 * A guest kernel ready to load.
 *
 * @param name  what error messages and the loader call it: the catalog name or the path as given
 * @param bytes the whole file
 */
public record BootImage(String name, byte[] bytes) { }
