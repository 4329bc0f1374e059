package dev.vmm.console.monitor;

import dev.vmm.cpu.Cpu;

import java.util.Locale;

/** Parses the monitor's numbers: 0x-prefixed hex, decimal, or a register name ({@code rip}, {@code rsp+8}). */
final class Numbers {
    private Numbers() { }

    /** An address or value: {@code 0x1000}, {@code 4096}, {@code rsp}, {@code rbp-0x10}; registers of {@code cpu}. */
    static long parse(String s, Cpu cpu) {
        String t = s.strip().toLowerCase(Locale.ROOT);
        if (t.isEmpty()) throw new MonitorError("missing number");
        int op = Math.max(t.lastIndexOf('+'), t.lastIndexOf('-'));
        if (op > 0) {
            long a = parse(t.substring(0, op), cpu), b = parse(t.substring(op + 1), cpu);
            return t.charAt(op) == '+' ? a + b : a - b;
        }
        if (t.startsWith("$")) t = t.substring(1);
        if (cpu != null && Registers.isName(t)) return Registers.get(cpu, t);
        try {
            if (t.startsWith("-")) return -parse(t.substring(1), cpu);
            if (t.startsWith("0x")) return Long.parseUnsignedLong(t.substring(2).replace("_", ""), 16);
            return Long.parseLong(t.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new MonitorError("'" + s + "' is not a number (use 0x... for hex, or a register name)");
        }
    }

    static String hex(long v) { return "0x" + Long.toHexString(v); }

    static String hex16(long v) { return String.format("%016x", v); }
}
