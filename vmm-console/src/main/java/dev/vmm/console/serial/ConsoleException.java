package dev.vmm.console.serial;

/**
 * A console port that cannot be set up (an address in use, an unknown host): the command reports the
 * one-line message and exits with the usage status.
 */
public final class ConsoleException extends RuntimeException {
    public ConsoleException(String message) {
        super(message, null, false, false);
    }
}
