package dev.vmm.console;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.Locale;

/**
 * Guest RAM sizes as the user writes them: {@code 256M}, {@code 4G}, {@code 64g}, {@code 1T},
 * {@code 524288K}, {@code 268435456} (bytes). Suffixes are binary (K = 1024) and may be followed by
 * {@code B} or {@code iB}. The result must be a whole number of MiB (the guest's RAM is handed out in
 * 1 MiB granules) between {@link #MIN} and {@link #MAX}.
 */
public final class MemorySize {
    public static final long MIB = 1L << 20;
    /** A Multiboot kernel loads at 1 MiB, so less than 2 MiB cannot boot anything. */
    public static final long MIN = 2 * MIB;
    /** 1 TiB: 40 bits of guest physical address space, far below what a 4-level walk covers. */
    public static final long MAX = 1L << 40;

    private MemorySize() { }

    /** Parses {@code text} or throws IllegalArgumentException with a message fit for the user. */
    public static long parse(String text) {
        String s = text.strip();
        int end = s.length();
        String upper = s.toUpperCase(Locale.ROOT);
        if (upper.endsWith("IB")) {
            end -= 2;
        } else if (upper.endsWith("B") && end >= 2 && Character.isLetter(upper.charAt(end - 2))) {
            end -= 1;
        }
        int shift = 0;
        if (end > 0) {
            switch (upper.charAt(end - 1)) {
                case 'K' -> shift = 10;
                case 'M' -> shift = 20;
                case 'G' -> shift = 30;
                case 'T' -> shift = 40;
                default -> { }
            }
            if (shift != 0) {
                end--;
            }
        }
        String digits = s.substring(0, end);
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + text + "' is not a size; write e.g. 256M, 4G, 64G or a number of bytes");
        }
        long value;
        try {
            value = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too large (at most " + format(MAX) + ")");
        }
        if (value > (MAX >> shift)) {
            throw new IllegalArgumentException("'" + text + "' is too large (at most " + format(MAX) + ")");
        }
        long bytes = value << shift;
        if (bytes % MIB != 0) {
            throw new IllegalArgumentException("'" + text + "' is not a multiple of 1 MiB (1048576 bytes)");
        }
        if (bytes < MIN) {
            throw new IllegalArgumentException("'" + text + "' is too small (at least " + format(MIN) + ")");
        }
        return bytes;
    }

    /** The shortest exact form: 256M, 64G, 1T, 1536M. */
    public static String format(long bytes) {
        String[] units = {"", "K", "M", "G", "T"};
        int unit = 0;
        while (unit < units.length - 1 && bytes != 0 && bytes % 1024 == 0) {
            bytes /= 1024;
            unit++;
        }
        return bytes + units[unit];
    }

    /** Picocli's converter for {@code --mem}. */
    public static final class Converter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
