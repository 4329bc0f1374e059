package dev.vmm.images;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The guest kernels shipped in this jar, so {@code vmm run hello} needs no file. The binaries are built
 * by images/Makefile and committed; Maven only copies them to {@code /dev/vmm/images/NAME.bin}, next to
 * {@code index.txt}, which lists each name with a one-line description ({@code #} starts a comment).
 *
 * <p>Thread safety: immutable after class initialisation.
 */
public final class ImageCatalog {
    private static final String DIR = "/dev/vmm/images/";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");
    private static final Map<String, String> INDEX = readIndex();

    private ImageCatalog() { }

    /** The image names, in index order. */
    public static List<String> names() {
        return List.copyOf(INDEX.keySet());
    }

    /** The one-line description of {@code name}, if it is an image here. */
    public static Optional<String> description(String name) {
        return Optional.ofNullable(INDEX.get(name));
    }

    /** The bytes of image {@code name}, or empty if there is no such image. */
    public static Optional<byte[]> find(String name) {
        if (name == null || !INDEX.containsKey(name)) return Optional.empty();
        try (InputStream in = ImageCatalog.class.getResourceAsStream(DIR + name + ".bin")) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("reading image " + name + " from the classpath", e);
        }
    }

    private static Map<String, String> readIndex() {
        Map<String, String> index = new LinkedHashMap<>();
        try (InputStream in = ImageCatalog.class.getResourceAsStream(DIR + "index.txt")) {
            if (in == null) return Map.of();
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) continue;
                String[] parts = line.split("\\s+", 2);
                if (NAME.matcher(parts[0]).matches()) index.put(parts[0], parts.length > 1 ? parts[1] : "");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the image index", e);
        }
        return Collections.unmodifiableMap(index);
    }
}
