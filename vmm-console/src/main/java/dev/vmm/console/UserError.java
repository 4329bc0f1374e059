package dev.vmm.console;

/**
 * Something the user can fix (a missing file, an image that is not a kernel, a bad benchmark
 * parameter). The command prints {@code vmm: <message>} on one line and exits with status 2;
 * the message therefore names the file or value and the problem, and carries no stack trace.
 */
public final class UserError extends RuntimeException {
    public UserError(String message) {
        super(message, null, false, false);
    }
}
