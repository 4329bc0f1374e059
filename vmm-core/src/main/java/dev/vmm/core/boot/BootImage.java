package dev.vmm.core.boot;

/**
 * Where a loaded Multiboot kernel sits in guest RAM and how to enter it: what the integrator needs to
 * set the boot vCPU up (see {@link MultibootLoader} for the register state) and to know which RAM the
 * loader has used.
 *
 * @param entry       the 32-bit physical entry point (EIP at entry)
 * @param infoAddr    the physical address of the Multiboot information structure (EBX at entry)
 * @param kernelStart the lowest physical address the kernel image occupies
 * @param kernelEnd   one past the highest address the kernel occupies, bss included
 * @param loadEnd     one past the highest address the loader wrote (kernel, boot information, modules)
 */
public record BootImage(long entry, long infoAddr, long kernelStart, long kernelEnd, long loadEnd) { }
