package dev.vmm.console.monitor;

import dev.vmm.cpu.Cpu;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The register names the monitor knows (for {@code info registers}, {@code set reg}, completion, numbers). */
final class Registers {
    private Registers() { }

    static final String[] GPR = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
    static final String[] SEG = {"es", "cs", "ss", "ds", "fs", "gs"};
    static final String[] OTHER = {"rip", "rflags", "cr0", "cr2", "cr3", "cr4", "efer", "cpl"};
    /** Registers {@code set reg} may change: changing a control register needs the CPU's own paths (TLB flush, mode). */
    static final List<String> WRITABLE;
    static final List<String> ALL;

    static {
        List<String> w = new ArrayList<>(List.of(GPR));
        w.add("rip");
        w.add("rflags");
        WRITABLE = List.copyOf(w);
        List<String> a = new ArrayList<>(List.of(GPR));
        a.addAll(List.of(OTHER));
        a.addAll(List.of(SEG));
        ALL = List.copyOf(a);
    }

    static boolean isName(String n) { return ALL.contains(n); }

    static long get(Cpu c, String n) {
        for (int i = 0; i < 16; i++) if (GPR[i].equals(n)) return c.r[i];
        for (int i = 0; i < 6; i++) if (SEG[i].equals(n)) return c.segSel[i];
        return switch (n) {
            case "rip" -> c.rip;
            case "rflags" -> c.rflags();
            case "cr0" -> c.cr0;
            case "cr2" -> c.cr2;
            case "cr3" -> c.cr3;
            case "cr4" -> c.cr4;
            case "efer" -> c.efer;
            case "cpl" -> c.cpl;
            default -> throw new MonitorError("unknown register '" + n + "'");
        };
    }

    static void set(Cpu c, String n, long v) {
        for (int i = 0; i < 16; i++) if (GPR[i].equals(n)) { c.r[i] = v; return; }
        switch (n) {
            case "rip" -> c.rip = v;
            case "rflags" -> c.setRflags(v);
            default -> {
                if (isName(n)) throw new MonitorError("'" + n + "' cannot be set from the monitor (only " + String.join(", ", WRITABLE) + ")");
                throw new MonitorError("unknown register '" + n + "'");
            }
        }
    }

    /** Name -> value, in display order. */
    static Map<String, Long> all(Cpu c) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String n : ALL) m.put(n, get(c, n));
        return m;
    }

    /** RFLAGS bits by name, as QEMU shows them. */
    static String flags(long f) {
        String[] names = {"CF", null, "PF", null, "AF", null, "ZF", "SF", "TF", "IF", "DF", "OF"};
        StringBuilder sb = new StringBuilder();
        for (int b = names.length - 1; b >= 0; b--) if (names[b] != null && (f & (1L << b)) != 0) sb.append(names[b]).append(' ');
        return sb.toString().strip();
    }
}
