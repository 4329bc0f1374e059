package dev.vmm.console.arch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks DESIGN.md's dependency arrows on source text: every {@code import} and every fully qualified
 * reference ({@code io.netty.buffer.ByteBuf}, {@code dev.vmm.core.Machine}) in the Java files under a
 * source root, with comments, string literals and the package declaration blanked out first so that
 * prose mentioning a package is no violation. Line numbers survive the blanking.
 */
public final class DependencyScanner {

    /**
     * Sources under {@code sourceRoot} (a module's src/main/java), optionally only those of
     * {@code packageName} and its subpackages, must not reference any package in {@code forbidden}
     * (or below it) except those in {@code allowed} (or below them).
     *
     * @param mustExist whether a missing source root is itself a failure (a renamed module must not
     *                  pass vacuously); false for rules written ahead of the code they guard
     */
    public record Rule(String name, Path sourceRoot, String packageName, List<String> forbidden, List<String> allowed,
                       boolean mustExist) { }

    /** One reference that breaks a rule. */
    public record Violation(String rule, Path file, int line, String reference) {
        @Override
        public String toString() {
            return rule + ": " + file + ":" + line + " references " + reference;
        }
    }

    private static final Pattern QUALIFIED = Pattern.compile("(?<![\\w.$])([a-z_][\\w]*(?:\\s*\\.\\s*[A-Za-z_$][\\w$]*)+)");

    private DependencyScanner() { }

    public static List<Violation> check(Rule rule) throws IOException {
        List<Violation> violations = new ArrayList<>();
        if (!Files.isDirectory(rule.sourceRoot())) {
            if (rule.mustExist()) {
                violations.add(new Violation(rule.name(), rule.sourceRoot(), 0, "(no such source directory)"));
            }
            return violations;
        }
        Path scope = rule.packageName() == null ? rule.sourceRoot()
                : rule.sourceRoot().resolve(rule.packageName().replace('.', '/'));
        if (!Files.isDirectory(scope)) {
            return violations;
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(scope)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        for (Path file : files) {
            String code = blankCommentsAndStrings(Files.readString(file, StandardCharsets.UTF_8));
            code = code.replaceFirst("(?m)^\\s*package\\s+[\\w.]+\\s*;", "");
            Matcher m = QUALIFIED.matcher(code);
            while (m.find()) {
                String reference = m.group(1).replaceAll("\\s+", "");
                if (isForbidden(rule, reference)) {
                    violations.add(new Violation(rule.name(), file, lineOf(code, m.start()), reference));
                }
            }
        }
        return violations;
    }

    static boolean isForbidden(Rule rule, String reference) {
        return rule.forbidden().stream().anyMatch(p -> within(reference, p))
                && rule.allowed().stream().noneMatch(p -> within(reference, p));
    }

    /** {@code dev.vmm.core.Machine} is within {@code dev.vmm.core}; {@code dev.vmm.corex.A} is not. */
    static boolean within(String reference, String pkg) {
        return reference.equals(pkg) || reference.startsWith(pkg + ".");
    }

    private static int lineOf(String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    /**
     * The source with comments, string and character literals and text blocks replaced by spaces
     * (newlines kept).
     */
    static String blankCommentsAndStrings(String src) {
        StringBuilder out = new StringBuilder(src.length());
        int i = 0;
        int n = src.length();
        while (i < n) {
            char c = src.charAt(i);
            int end;
            if (src.startsWith("//", i)) {
                end = src.indexOf('\n', i);
                end = end < 0 ? n : end;
            } else if (src.startsWith("/*", i)) {
                end = src.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
            } else if (src.startsWith("\"\"\"", i)) {
                end = closing(src, i + 3, "\"\"\"");
            } else if (c == '"' || c == '\'') {
                end = closing(src, i + 1, String.valueOf(c));
            } else {
                out.append(c);
                i++;
                continue;
            }
            for (int j = i; j < end; j++) {
                out.append(src.charAt(j) == '\n' ? '\n' : ' ');
            }
            i = end;
        }
        return out.toString();
    }

    /** The index just past {@code quote} closing a literal that starts at {@code from}, honouring escapes. */
    private static int closing(String src, int from, String quote) {
        int i = from;
        while (i < src.length()) {
            if (src.charAt(i) == '\\') {
                i += 2;
            } else if (src.startsWith(quote, i)) {
                return i + quote.length();
            } else if (quote.length() == 1 && src.charAt(i) == '\n') {
                return i;   // unterminated: do not swallow the rest of the file
            } else {
                i++;
            }
        }
        return src.length();
    }
}
