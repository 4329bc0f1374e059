package dev.vmm.console;

import dev.vmm.images.ImageCatalog;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Turns the IMAGE argument into bytes, before any machine exists, so that every "cannot read it"
 * problem is a one-line {@link UserError}.
 *
 * <p>A name without a slash that the catalog knows ({@code hello}, {@code bench}) is the catalog's
 * image; anything else is a path, relative to the current directory. Write {@code ./hello} to boot a
 * file that shares a catalog name.
 */
public final class ImageResolver {
    private ImageResolver() { }

    public static BootImage resolve(String arg) {
        if (arg == null || arg.isEmpty()) {
            throw new UserError("empty image name");
        }
        if (!arg.contains("/") && !arg.contains(java.io.File.separator)) {
            Optional<byte[]> image = ImageCatalog.find(arg);
            if (image.isPresent()) {
                return new BootImage(arg, image.get());
            }
            if (!Files.exists(Path.of(arg))) {
                throw new UserError(arg + ": no such file, and no image of that name in the catalog"
                        + catalogHint());
            }
        }
        return readFile(arg);
    }

    /** The file {@code arg} (never a catalog name), checked like {@link #resolve}. */
    public static BootImage readFile(String arg) {
        Path file = readableFile(arg);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UserError(arg + ": " + describe(e));
        }
        if (bytes.length == 0) {
            throw new UserError(arg + ": empty file");
        }
        return new BootImage(arg, bytes);
    }

    /**
     * {@code name} as an absolute path to a regular file this process can read.
     *
     * @throws UserError otherwise, saying why
     */
    public static Path readableFile(String name) {
        Path path = Path.of(name).toAbsolutePath().normalize();
        if (!Files.exists(path)) {
            throw new UserError(name + ": no such file");
        }
        if (Files.isDirectory(path)) {
            throw new UserError(name + ": is a directory");
        }
        if (!Files.isRegularFile(path)) {
            throw new UserError(name + ": not a regular file");
        }
        if (!Files.isReadable(path)) {
            throw new UserError(name + ": permission denied");
        }
        return path;
    }

    private static String catalogHint() {
        List<String> names = ImageCatalog.names();
        return names.isEmpty() ? " (the catalog is empty)" : " (catalog: " + String.join(", ", names) + ")";
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
