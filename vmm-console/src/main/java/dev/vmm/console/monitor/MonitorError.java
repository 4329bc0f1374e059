package dev.vmm.console.monitor;

/** A command cannot do what was asked (bad argument, wrong machine state): one line, nothing changed. */
final class MonitorError extends RuntimeException {
    MonitorError(String message) {
        super(message, null, false, false);
    }
}
