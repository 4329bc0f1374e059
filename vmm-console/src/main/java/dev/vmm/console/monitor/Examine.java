package dev.vmm.console.monitor;

import dev.vmm.cpu.Cpu;
import dev.vmm.cpu.disasm.Disassembler;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The memory dump of {@code x} and {@code xp}, with gdb's format letters: {@code /Nfu}, N a count, f one
 * of x (hex), d (signed), u (unsigned), c (characters), s (NUL-terminated strings), i (instructions),
 * u a unit: b (1 byte), h (2), w (4), g (8). Defaults: 1, x, w.
 */
final class Examine {
    private Examine() { }

    record Format(int count, char fmt, int unit) { }

    private static final Pattern FMT = Pattern.compile("/(\\d*)([xducsi]?)([bhwg]?)");

    static Format parse(String f) {
        if (f == null) return new Format(1, 'x', 4);
        Matcher m = FMT.matcher(f);
        if (!m.matches()) throw new MonitorError("bad format '" + f + "': /[count][x|d|u|c|s|i][b|h|w|g], e.g. /4xg or /10i");
        int count = m.group(1).isEmpty() ? 1 : parseCount(m.group(1));
        char fmt = m.group(2).isEmpty() ? 'x' : m.group(2).charAt(0);
        int unit = switch (m.group(3)) {
            case "b" -> 1;
            case "h" -> 2;
            case "g" -> 8;
            case "w" -> 4;
            default -> fmt == 'c' ? 1 : 4;
        };
        return new Format(count, fmt, unit);
    }

    private static int parseCount(String s) {
        try {
            int n = Integer.parseInt(s);
            if (n >= 1 && n <= 4096) return n;
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new MonitorError("count " + s + " is out of range: 1..4096");
    }

    /** Prints {@code f} at {@code addr}, linear (through CR3) or physical. */
    static void dump(Session s, Cpu c, long addr, Format f, boolean linear) {
        if (f.fmt() == 'i') {
            List<Disassembler.Line> lines = Disasm.at(c, addr, linear, f.count());
            if (lines.isEmpty()) GuestView.readByte(c, addr, linear);   // throws the reason
            for (Disassembler.Line l : lines) s.out.println(l.format());
            if (lines.size() < f.count()) s.out.println(Numbers.hex(addr + lines.stream().mapToInt(Disassembler.Line::length).sum()) + ": (not mapped)");
            return;
        }
        if (f.fmt() == 's') {
            long a = addr;
            for (int n = 0; n < f.count(); n++) {
                StringBuilder sb = new StringBuilder();
                long start = a;
                for (int i = 0; i < 1024; i++) {
                    int b = GuestView.readByte(c, a++, linear);
                    if (b == 0) break;
                    sb.append(b >= 0x20 && b < 0x7F ? String.valueOf((char) b) : b == '\n' ? "\\n" : String.format("\\x%02x", b));
                }
                s.out.println(String.format("%#x: \"%s\"", start, sb));
            }
            return;
        }
        int perLine = switch (f.unit()) {
            case 1 -> 8;
            case 2 -> 8;
            case 4 -> 4;
            default -> 2;
        };
        // read everything first, so an unmapped address prints nothing half-way
        long[] v = new long[f.count()];
        for (int n = 0; n < f.count(); n++) {
            long x = 0;
            for (int k = 0; k < f.unit(); k++) x |= (long) GuestView.readByte(c, addr + (long) n * f.unit() + k, linear) << (8 * k);
            v[n] = x;
        }
        StringBuilder sb = new StringBuilder();
        for (int n = 0; n < f.count(); n++) {
            if (n % perLine == 0) {
                if (n > 0) { s.out.println(sb); sb.setLength(0); }
                sb.append(String.format("%#x:", addr + (long) n * f.unit()));
            }
            sb.append(' ').append(value(v[n], f));
        }
        s.out.println(sb);
    }

    static long mask(int size) { return size >= 8 ? -1L : (1L << (8 * size)) - 1; }

    private static String value(long x, Format f) {
        int bits = 8 * f.unit();
        return switch (f.fmt()) {
            case 'd' -> Long.toString(bits == 64 ? x : (x << (64 - bits)) >> (64 - bits));
            case 'u' -> Long.toUnsignedString(x);
            case 'c' -> x >= 0x20 && x < 0x7F ? "'" + (char) x + "'" : String.format("'\\x%02x'", x);
            default -> String.format("0x%0" + (2 * f.unit()) + "x", x);
        };
    }
}
