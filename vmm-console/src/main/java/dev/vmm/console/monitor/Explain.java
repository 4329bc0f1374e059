package dev.vmm.console.monitor;

import dev.vmm.cpu.Cpu;
import dev.vmm.mmu.Access;
import dev.vmm.mmu.PageFaultCode;
import dev.vmm.mmu.PageWalker;
import dev.vmm.mmu.PagingMode;
import dev.vmm.mmu.Pte;
import dev.vmm.mmu.WalkResult;

import java.util.ArrayList;
import java.util.List;

/**
 * Why an access to a linear address faults or not, derived from the paging-structure entries by the
 * rules of the Intel SDM vol. 3, 4.6 (access rights) and 4.7 (#PF error code), independently of the
 * page walker; the walker's own verdict is then compared, and any disagreement is reported (it would be
 * a bug in one of them).
 */
final class Explain {
    /** The verdict: a sentence, the #PF error code (-1 for none) and whether the walker agreed. */
    record Verdict(boolean faults, int errorCode, String sentence, boolean walkerAgrees, String walkerNote) { }

    private Explain() { }

    static String accessName(int acc) {
        return switch (acc) {
            case Access.READ -> "read";
            case Access.WRITE -> "write";
            case Access.EXEC -> "instruction fetch";
            case Access.SYS_READ -> "implicit supervisor read";
            default -> "implicit supervisor write";
        };
    }

    static Verdict explain(Cpu c, long lin, int acc, boolean user) {
        String who = (user ? "user-mode " : "supervisor-mode ") + accessName(acc) + " of " + Numbers.hex(lin);
        if (!GuestView.paging(c)) {
            return new Verdict(false, -1, who + " cannot page-fault: paging is off (CR0.PG=0), so the linear address is the physical address "
                + Numbers.hex(lin & 0xFFFF_FFFFL) + ".", true, null);
        }
        int mode = GuestView.mode(c);
        if ((mode & PagingMode.LMA) != 0) {
            int bits = (mode & PagingMode.LA57) != 0 ? 57 : 48;
            if ((lin << (64 - bits)) >> (64 - bits) != lin) {
                return new Verdict(true, -1, who + " raises #GP(0), not #PF: the address is not canonical (bits 63:" + (bits - 1)
                    + " must all equal bit " + (bits - 1) + ").", true, null);
            }
        }
        PageWalkView view = new PageWalkView(c, lin, acc, user);
        boolean write = Access.isWrite(acc);
        boolean idBit = acc == Access.EXEC && (mode & (PagingMode.NXE | PagingMode.SMEP)) != 0;
        int base = (write ? PageFaultCode.W : 0) | (user ? PageFaultCode.U : 0) | (idBit ? PageFaultCode.ID : 0);
        Verdict v = null;
        for (PageWalkView.Level l : view.levels) {
            String where = "the " + l.name() + " at " + Numbers.hex(l.addr()) + " (index " + l.index() + ")";
            if (!l.present()) {
                v = new Verdict(true, base, who + " page-faults: " + where + " is not present (P=0, bit 0).", true, null);
                break;
            }
            String rsvd = reservedBit(l, mode);
            if (rsvd != null) {
                v = new Verdict(true, base | PageFaultCode.RSVD | PageFaultCode.P,
                    who + " page-faults: " + where + " has a reserved bit set: " + rsvd + ".", true, null);
                break;
            }
        }
        if (v == null) v = rights(c, view, acc, user, mode, who, base);
        return compare(v, view.result);
    }

    /** The reserved bit of an entry under SDM 4.5 (4-level/5-level and PAE), or null. */
    private static String reservedBit(PageWalkView.Level l, int mode) {
        if ((mode & (PagingMode.LMA | PagingMode.PAE)) == 0) return null;   // 32-bit paging: only PSE-36's bit 21
        long e = l.entry();
        long above = e & ((1L << 52) - 1) & ~((1L << PageWalker.MAXPHYADDR) - 1);
        if (above != 0) return "bit " + (63 - Long.numberOfLeadingZeros(above)) + " lies above MAXPHYADDR (" + PageWalker.MAXPHYADDR + ")";
        if ((e & Pte.NX) != 0 && (mode & PagingMode.NXE) == 0) return "bit 63 (XD) while EFER.NXE=0";
        if ((e & Pte.PS) != 0 && (l.name().equals("PML4E") || l.name().equals("PML5E"))) return "bit 7 (PS) in a " + l.name();
        if ((e & Pte.PS) != 0 && l.leaf() && l.shift() > 12) {
            long low = e & ((1L << l.shift()) - 1) & ~0x1FFFL;
            if (low != 0) return "bit " + Long.numberOfTrailingZeros(low) + " (the address of a " + PageWalkView.pageSize(l.shift())
                + " page must be aligned; bits " + (l.shift() - 1) + ":13 are reserved)";
        }
        return null;
    }

    /** SDM 4.6: the rights of the whole path, the first entry at fault named. */
    private static Verdict rights(Cpu c, PageWalkView view, int acc, boolean user, int mode, String who, int base) {
        List<PageWalkView.Level> path = view.levels;
        PageWalkView.Level leaf = path.get(path.size() - 1);
        boolean wp = (mode & PagingMode.WP) != 0;
        PageWalkView.Level supervisorOnly = first(path, Pte.US, false);
        PageWalkView.Level readOnly = first(path, Pte.RW, false);
        PageWalkView.Level xd = (mode & PagingMode.NXE) != 0 ? first(path, Pte.NX, true) : null;
        int prot = base | PageFaultCode.P;
        if (user && supervisorOnly != null) {
            return new Verdict(true, prot, who + " page-faults: " + name(supervisorOnly) + " has U/S=0 (bit 2), a supervisor-only page.", true, null);
        }
        if (Access.isWrite(acc) && readOnly != null) {
            if (user || wp) {
                return new Verdict(true, prot, who + " page-faults: " + name(readOnly) + " has R/W=0 (bit 1), read-only"
                    + (user ? "" : ", and CR0.WP=1 makes that bind the supervisor too") + ".", true, null);
            }
        }
        if (acc == Access.EXEC && xd != null) {
            return new Verdict(true, prot, who + " page-faults: " + name(xd) + " has XD=1 (bit 63) with EFER.NXE=1: no execution.", true, null);
        }
        if (acc == Access.EXEC && !user && supervisorOnly == null && (mode & PagingMode.SMEP) != 0) {
            return new Verdict(true, prot, who + " page-faults: every level has U/S=1, a user page, and CR4.SMEP forbids supervisor fetches from it.", true, null);
        }
        StringBuilder sb = new StringBuilder(who).append(" is allowed: ");
        sb.append(PageWalkView.pageSize(leaf.shift())).append(" page, physical ").append(Numbers.hex(view.result.frame | (view.lin & 0xFFF)));
        sb.append(" via ").append(name(leaf)).append(supervisorOnly == null ? "; user page" : "; supervisor page");
        sb.append(readOnly == null ? ", writable" : ", read-only (" + name(readOnly) + " R/W=0)");
        if (Access.isWrite(acc) && readOnly != null) sb.append(" but CR0.WP=0 lets the supervisor write");
        sb.append(xd == null ? ", executable" : ", not executable");
        TlbView.Entry cached = TlbView.lookup(c, view.lin);
        if (cached != null) sb.append("; cached in cpu").append(c.apicId()).append("'s TLB (").append(cached.array()).append(" slot ").append(cached.slot()).append(')');
        else sb.append("; not in cpu").append(c.apicId()).append("'s TLB");
        return new Verdict(false, -1, sb.append('.').toString(), true, null);
    }

    private static PageWalkView.Level first(List<PageWalkView.Level> path, long bit, boolean set) {
        for (PageWalkView.Level l : path) if (((l.entry() & bit) != 0) == set) return l;
        return null;
    }

    private static String name(PageWalkView.Level l) { return "the " + l.name() + " at " + Numbers.hex(l.addr()); }

    private static Verdict compare(Verdict v, WalkResult r) {
        boolean walkerFaults = !r.ok();
        if (v.errorCode() < 0 && v.faults()) return v;   // #GP: the walker is not asked
        if (walkerFaults == v.faults() && (!walkerFaults || r.errorCode == v.errorCode())) return v;
        String note = walkerFaults ? "the page walker faults with error code " + Numbers.hex(r.errorCode) : "the page walker allows it";
        return new Verdict(v.faults(), v.errorCode(), v.sentence(), false, note);
    }

    /** The #PF error code's bits by name (SDM 4.7). */
    static String errorCodeText(int ec) {
        List<String> s = new ArrayList<>();
        s.add((ec & PageFaultCode.P) != 0 ? "P=1 protection" : "P=0 not present");
        s.add((ec & PageFaultCode.W) != 0 ? "W/R=1 write" : "W/R=0 read");
        s.add((ec & PageFaultCode.U) != 0 ? "U/S=1 user" : "U/S=0 supervisor");
        if ((ec & PageFaultCode.RSVD) != 0) s.add("RSVD=1");
        if ((ec & PageFaultCode.ID) != 0) s.add("I/D=1 fetch");
        return String.join(", ", s);
    }
}
