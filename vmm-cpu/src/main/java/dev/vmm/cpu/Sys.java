package dev.vmm.cpu;

/**
 * System instructions (SDM vol. 2 and vol. 3): flags control, port I/O with its IOPL check, control
 * and debug registers, descriptor-table registers, MSRs, CPUID, time stamp, HLT, SWAPGS, SYSCALL/SYSRET.
 * Privileged ones raise #GP(0) outside CPL 0.
 */
final class Sys {
    private Sys() { }

    static void execute(Cpu c, Insn d) {
        switch (d.op) {
            case Op.HLT -> { privileged(c); c.halted = true; }
            case Op.IN -> {
                int port = d.sub == 1 ? (int) c.r[2] & 0xFFFF : (int) d.imm;
                checkIo(c, port, d.osize);
                int size = Math.min(d.osize, 4);
                c.setReg(0, size, c.io.in(port, size) & 0xFFFF_FFFFL);
            }
            case Op.OUT -> {
                int port = d.sub == 1 ? (int) c.r[2] & 0xFFFF : (int) d.imm;
                checkIo(c, port, d.osize);
                int size = Math.min(d.osize, 4);
                c.io.out(port, size, (int) c.reg(0, size));
            }
            case Op.MOV_CR_R -> {
                privileged(c);
                SystemRegs.writeCr(c, d.reg, c.reg(d.rm, c.codeMode == 64 ? 8 : 4));
            }
            case Op.MOV_R_CR -> {
                privileged(c);
                c.setReg(d.rm, c.codeMode == 64 ? 8 : 4, SystemRegs.readCr(c, d.reg));
            }
            case Op.MOV_DR_R -> {
                privileged(c);
                if (d.reg > 7) throw c.ud();
                Debug.write(c, d.reg, c.reg(d.rm, c.codeMode == 64 ? 8 : 4));
            }
            case Op.MOV_R_DR -> {
                privileged(c);
                if (d.reg > 7) throw c.ud();
                c.setReg(d.rm, c.codeMode == 64 ? 8 : 4, Debug.read(c, d.reg));
            }
            case Op.MOV_SREG_RM -> {
                int s = d.reg & 7;
                if (s == Seg.CS || s > Seg.GS) throw c.ud();
                Segments.load(c, s, (int) Exec.readRm(c, d, 2));
                if (s == Seg.SS) c.inhibitInterrupts = true;
            }
            case Op.MOV_RM_SREG -> {
                int s = d.reg & 7;
                if (s > Seg.GS) throw c.ud();
                if (d.mem) c.write(c.lin(d), 2, c.segSel[s]); else c.setReg(d.rm, d.osize, c.segSel[s]);
            }
            case Op.LGDT, Op.LIDT -> {
                privileged(c);
                long la = c.lin(d);
                int limit = (int) c.read(la, 2);
                long base = c.read(c.linear(d.seg, Exec.mask(c.ea(d) + 2, d.asize)), c.codeMode == 64 ? 8 : 4);
                if (c.codeMode != 64 && d.osize == 2) base &= 0xFF_FFFF;
                if (c.codeMode == 64 && !Msrs.canonical(base)) throw c.gp(0);
                if (d.op == Op.LGDT) { c.gdtrBase = base; c.gdtrLimit = limit; }
                else { c.idtrBase = base; c.idtrLimit = limit; }
            }
            case Op.SGDT, Op.SIDT -> {
                long la = c.lin(d);
                boolean g = d.op == Op.SGDT;
                c.write(la, 2, g ? c.gdtrLimit : c.idtrLimit);
                c.write(c.linear(d.seg, Exec.mask(c.ea(d) + 2, d.asize)), c.codeMode == 64 ? 8 : 4, g ? c.gdtrBase : c.idtrBase);
            }
            case Op.LLDT -> { privileged(c); Segments.loadLdt(c, (int) Exec.readRm(c, d, 2)); }
            case Op.LTR -> { privileged(c); Segments.loadTr(c, (int) Exec.readRm(c, d, 2)); }
            case Op.SLDT -> storeSel(c, d, c.ldtrSel);
            case Op.STR -> storeSel(c, d, c.trSel);
            case Op.SMSW -> { if (d.mem) c.write(c.lin(d), 2, c.cr0); else c.setReg(d.rm, d.osize, c.cr0); }
            case Op.LMSW -> {
                privileged(c);
                long v = Exec.readRm(c, d, 2);
                // LMSW changes only PE, MP, EM, TS, and cannot clear PE.
                SystemRegs.writeCr(c, 0, (c.cr0 & ~0xEL) | (v & 0xF) | (c.cr0 & 1));
            }
            case Op.CLTS -> { privileged(c); c.cr0 &= ~SystemRegs.CR0_TS; }
            case Op.INVLPG -> { privileged(c); c.invlpg(c.lin(d)); }
            case Op.INVPCID -> invpcid(c, d);
            case Op.WBINVD -> privileged(c);
            case Op.RDMSR -> {
                privileged(c);
                long v = Msrs.read(c, (int) c.r[1]);
                c.setReg(0, 4, v);
                c.setReg(2, 4, v >>> 32);
            }
            case Op.WRMSR -> {
                privileged(c);
                Msrs.write(c, (int) c.r[1], (c.r[0] & 0xFFFF_FFFFL) | (c.r[2] << 32));
            }
            case Op.RDTSC -> {
                if ((c.cr4 & SystemRegs.CR4_TSD) != 0 && c.cpl != 0) throw c.gp(0);
                long t = c.tscOffset + c.instructions;
                c.setReg(0, 4, t);
                c.setReg(2, 4, t >>> 32);
            }
            case Op.RDTSCP -> {
                if ((c.cr4 & SystemRegs.CR4_TSD) != 0 && c.cpl != 0) throw c.gp(0);
                long t = c.tscOffset + c.instructions;
                c.setReg(0, 4, t);
                c.setReg(2, 4, t >>> 32);
                c.setReg(1, 4, c.msrs.tscAux);
            }
            case Op.RDPID -> c.setReg(d.rm, 8, c.msrs.tscAux);
            case Op.CPUID -> Cpuid.execute(c);
            case Op.SWAPGS -> {
                if ((d.rm & 7) == 1) { execute(c, rdtscp()); return; }
                if ((d.rm & 7) != 0 || c.codeMode != 64) throw c.ud();
                privileged(c);
                long t = c.segBase[Seg.GS];
                c.segBase[Seg.GS] = c.msrs.kernelGsBase;
                c.msrs.kernelGsBase = t;
                c.updateMode();
            }
            case Op.VMCALL -> {
                if ((d.rm & 7) != 1 || c.hypervisor == null) throw c.ud();
                c.r[0] = c.hypervisor.vmcall(c);
            }
            case Op.SYSCALL -> Syscall.syscall(c);
            case Op.SYSRET -> Syscall.sysret(c, d.osize);
            case Op.LSS, Op.LDS, Op.LES, Op.LFS, Op.LGS -> loadFarPointer(c, d);
            default -> throw c.ud();
        }
    }

    private static final Insn RDTSCP = new Insn();
    static { RDTSCP.op = Op.RDTSCP; }

    private static Insn rdtscp() { return RDTSCP; }

    private static void storeSel(Cpu c, Insn d, int sel) {
        if ((c.cr0 & 1) == 0) throw c.ud();
        if (d.mem) c.write(c.lin(d), 2, sel); else c.setReg(d.rm, d.osize, sel);
    }

    private static void loadFarPointer(Cpu c, Insn d) {
        long off = c.read(c.lin(d), d.osize);
        int sel = (int) c.read(c.linear(d.seg, Exec.mask(c.ea(d) + d.osize, d.asize)), 2);
        int seg = switch (d.op) {
            case Op.LSS -> Seg.SS;
            case Op.LDS -> Seg.DS;
            case Op.LES -> Seg.ES;
            case Op.LFS -> Seg.FS;
            default -> Seg.GS;
        };
        Segments.load(c, seg, sel);
        c.setReg(d.reg, d.osize, off);
    }

    /**
     * INVPCID (SDM vol. 2): the type from a register (64 bits in 64-bit mode, else 32), a 16-byte
     * descriptor in memory (PCID in bits 11:0, bits 63:12 reserved, linear address in bits 127:64).
     * Insn keeps no prefix bits, so the mandatory 66 prefix is seen as a 16-bit operand size: without it
     * (32-bit size) the opcode is #UD; with REX.W as well it cannot be told apart and is accepted.
     */
    private static void invpcid(Cpu c, Insn d) {
        if (d.osize == 4) throw c.ud();
        privileged(c);
        long type = c.codeMode == 64 ? c.r[d.reg] : c.r[d.reg] & 0xFFFF_FFFFL;
        long pcid = c.read(c.lin(d), 8);
        long lin = c.read(c.linear(d.seg, Exec.mask(c.ea(d) + 8, d.asize)), 8);
        if (type < 0 || type > 3) throw c.gp(0);
        c.invpcid((int) type, pcid, lin);
    }

    static void privileged(Cpu c) {
        if (c.cpl != 0 && (c.cr0 & 1) != 0) throw c.gp(0);
    }

    /** IN/OUT/INS/OUTS: allowed when CPL <= IOPL (and always in real mode); the TSS I/O bitmap is not consulted yet. */
    static void checkIo(Cpu c, int port, int size) {
        if (c.debugArmed) Breakpoints.ioAccess(c, port, Math.min(size, 4));
        if ((c.cr0 & 1) == 0) return;
        int iopl = (int) (c.flagsRest >>> 12) & 3;
        if (c.cpl > iopl || (c.flagsRest & Flags.VM) != 0) throw c.gp(0);
    }

    static void flagOp(Cpu c, int op) {
        switch (op) {
            case 0, 1, 2 -> {
                long f = c.rflags();
                f = op == 0 ? f & ~Flags.CF : op == 1 ? f | Flags.CF : f ^ Flags.CF;
                c.setRflags(f);
            }
            case 3, 4 -> {
                if ((c.cr0 & 1) != 0) {
                    int iopl = (int) (c.flagsRest >>> 12) & 3;
                    if (c.cpl > iopl) throw c.gp(0);
                }
                if (op == 3) c.flagsRest &= ~Flags.IF;
                else {
                    if ((c.flagsRest & Flags.IF) == 0) c.inhibitInterrupts = true; // STI shadow
                    c.flagsRest |= Flags.IF;
                }
            }
            case 5 -> c.flagsRest &= ~Flags.DF;
            default -> c.flagsRest |= Flags.DF;
        }
    }

    static void pushf(Cpu c, int size) {
        if ((c.flagsRest & Flags.VM) != 0 && ((c.flagsRest >>> 12) & 3) < 3) throw c.gp(0);
        Flow.push(c, size, c.rflags() & ~(Flags.VM | Flags.RF));
    }

    /** POPF (SDM POPF): IOPL changes only at CPL 0, IF only when CPL <= IOPL; VM, VIP, VIF, RF are kept. */
    static void popf(Cpu c, int size) {
        if ((c.flagsRest & Flags.VM) != 0 && ((c.flagsRest >>> 12) & 3) < 3) throw c.gp(0);
        long v = Flow.pop(c, size);
        long cur = c.rflags();
        long changeable = Flags.ARITH | Flags.TF | Flags.DF | Flags.NT | Flags.AC | Flags.ID;
        boolean pm = (c.cr0 & 1) != 0;
        int iopl = (int) (cur >>> 12) & 3;
        if (!pm || c.cpl == 0) changeable |= Flags.IOPL;
        if (!pm || c.cpl <= iopl) changeable |= Flags.IF;
        if (size == 2) changeable &= 0xFFFF;
        c.setRflags((cur & ~changeable) | (v & changeable));
    }
}
