package dev.vmm.core.boot;

/**
 * An image that cannot be booted: malformed, truncated, too large for RAM, or overlapping reserved
 * memory. The message is one line naming the file and the problem, ready for stderr.
 */
public final class ImageException extends Exception {
    public ImageException(String image, String problem) {
        super(image + ": " + problem);
    }
}
