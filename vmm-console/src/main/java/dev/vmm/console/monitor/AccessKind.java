package dev.vmm.console.monitor;

import dev.vmm.mmu.Access;

import java.util.Locale;

/** The access argument of {@code walk} and {@code explain}: r, w, x, with u/s for user or supervisor (e.g. {@code uw}). */
final class AccessKind {
    final int acc;
    /** null: as the vCPU's CPL says. */
    final Boolean user;

    private AccessKind(int acc, Boolean user) {
        this.acc = acc;
        this.user = user;
    }

    static AccessKind parse(String s) {
        if (s == null) return new AccessKind(Access.READ, null);
        String t = s.toLowerCase(Locale.ROOT);
        Boolean user = null;
        if (t.length() == 2 && (t.charAt(0) == 'u' || t.charAt(0) == 's')) { user = t.charAt(0) == 'u'; t = t.substring(1); }
        int acc = switch (t) {
            case "r", "read" -> Access.READ;
            case "w", "write" -> Access.WRITE;
            case "x", "exec", "fetch" -> Access.EXEC;
            default -> throw new MonitorError("bad access '" + s + "': r, w or x, optionally prefixed by u (user) or s (supervisor), e.g. uw");
        };
        return new AccessKind(acc, user);
    }

    boolean userFor(int cpl) { return user != null ? user : cpl == 3; }
}
