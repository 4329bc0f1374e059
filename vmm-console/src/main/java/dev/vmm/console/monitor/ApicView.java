package dev.vmm.console.monitor;

import dev.vmm.core.apic.LocalApic;

import java.util.ArrayList;
import java.util.List;

/** Names for local APIC and IOAPIC state (Intel SDM vol. 3 ch. 11; 82093AA datasheet). */
final class ApicView {
    private ApicView() { }

    static final String[] LVT_NAMES = {"CMCI", "Timer", "Thermal", "PerfMon", "LINT0", "LINT1", "Error"};
    static final int[] LVT_OFFSETS = {0x2F0, 0x320, 0x330, 0x340, 0x350, 0x360, 0x370};
    static final String[] DELIVERY = {"Fixed", "LowestPrio", "SMI", "rsvd", "NMI", "INIT", "rsvd", "ExtINT"};

    /** The vectors set in a 256-bit register (IRR, ISR, TMR) read as eight 32-bit words at {@code base}. */
    static List<Integer> vectors(LocalApic a, int base) {
        List<Integer> out = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            long v = a.readRegister(base + w * 0x10);
            for (int b = 0; b < 32; b++) if ((v & (1L << b)) != 0) out.add(w * 32 + b);
        }
        return out;
    }

    static String vectorList(List<Integer> v) {
        if (v.isEmpty()) return "-";
        List<String> s = new ArrayList<>();
        for (int x : v) s.add(String.format("%#x", x));
        return String.join(" ", s);
    }

    /** One LVT entry: vector, delivery mode, mask, trigger, polarity, and the timer mode for the timer. */
    static String lvt(int idx, long v) {
        StringBuilder sb = new StringBuilder(String.format("%#010x vector %#04x", v, v & 0xFF));
        if (idx == LocalApic.LVT_TIMER) sb.append(" ").append(switch ((int) (v >>> 17) & 3) { case 0 -> "one-shot"; case 1 -> "periodic"; case 2 -> "tsc-deadline"; default -> "rsvd"; });
        else sb.append(" ").append(DELIVERY[(int) (v >>> 8) & 7]);
        if (idx == LocalApic.LVT_LINT0 || idx == LocalApic.LVT_LINT1) sb.append((v & (1 << 15)) != 0 ? " level" : " edge").append((v & (1 << 13)) != 0 ? " active-low" : "");
        if ((v & (1 << 12)) != 0) sb.append(" send-pending");
        sb.append((v & (1 << 16)) != 0 ? " masked" : "");
        return sb.toString();
    }

    /** An IOAPIC redirection entry in words (82093AA, table 3-6 fields). */
    static String redirection(long e) {
        return String.format("vector %#04x %-10s %s %-5s %-11s dest %s%s%s", e & 0xFF, DELIVERY[(int) (e >>> 8) & 7],
            (e & (1L << 11)) != 0 ? "logical " : "physical", (e & (1L << 15)) != 0 ? "level" : "edge",
            (e & (1L << 13)) != 0 ? "active-low" : "active-high", Long.toHexString(e >>> 56),
            (e & (1L << 14)) != 0 ? " remote-IRR" : "", (e & (1L << 16)) != 0 ? " masked" : "");
    }
}
