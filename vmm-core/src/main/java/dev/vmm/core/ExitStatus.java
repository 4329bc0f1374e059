package dev.vmm.core;

/**
 * How a machine stopped, and the status {@code vmm run} exits with.
 *
 * @param kind     what stopped it
 * @param exitCode the process exit status: QEMU's {@code (V << 1) | 1} for a debug-exit write of V,
 *                 0 for a Bochs or ACPI (S5) shutdown, non-zero for a stop with a report
 * @param report   one line for stderr, or null when there is nothing to say
 */
public record ExitStatus(Kind kind, int exitCode, String report) {
    public enum Kind { DEBUG_EXIT, BOCHS_SHUTDOWN, ACPI_SHUTDOWN, TRIPLE_FAULT, HALTED, STOPPED }
}
