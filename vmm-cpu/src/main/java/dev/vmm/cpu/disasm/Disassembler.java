package dev.vmm.cpu.disasm;

import dev.vmm.cpu.Decoder;
import dev.vmm.cpu.Insn;
import dev.vmm.cpu.Op;
import dev.vmm.cpu.OpcodeTable;
import dev.vmm.cpu.OpcodeTable.Entry;
import dev.vmm.cpu.SseTable;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Intel-syntax disassembler built on the interpreter's own {@link Decoder} and {@link OpcodeTable}, so
 * what it prints is what the CPU will execute: lengths, displacements and immediates come from the
 * decoded {@link Insn}; the mnemonic and operand kinds come from the table entry's SDM notation
 * ({@code "ADD Ev,Gv"}).
 *
 * <p>The decoder rewrites some register forms for speed (a {@code G,E} MOV or ALU becomes an
 * {@code E,G} one with rm and reg swapped), so the disassembler does not trust {@link Insn#reg} and
 * {@link Insn#rm}: it re-reads the prefix, REX and ModRM bytes (cheap, and only off the hot path) and
 * takes the register numbers from the encoding itself.
 *
 * <p>The output follows GNU objdump's {@code -M intel} conventions (lower case, {@code DWORD PTR},
 * {@code ds:} for absolute addresses, {@code movabs}, branch targets as absolute addresses, RIP-relative
 * targets in a {@code #} comment) so that the two can be compared line by line; see DisassemblerTest.
 */
public final class Disassembler {
    private Disassembler() { }

    /** One disassembled instruction. {@code text} is mnemonic and operands, e.g. {@code "mov eax,DWORD PTR [rbx+0x8]"}. */
    public record Line(long address, byte[] bytes, String text) {
        public int length() { return bytes.length; }

        /** {@code address: bytes  text}, the layout of objdump -d. */
        public String format() {
            StringBuilder hex = new StringBuilder();
            for (byte b : bytes) hex.append(String.format("%02x ", b & 0xFF));
            return String.format("%#x: %-24s %s", address, hex.toString().strip(), text);
        }
    }

    /** Source of bytes for one instruction at a time; may throw {@link Unreadable} for bytes it cannot supply. */
    public interface ByteSource {
        int byteAt(long address);
    }

    /** Thrown by a {@link ByteSource} for an address whose byte cannot be read (e.g. an unmapped page). */
    public static final class Unreadable extends RuntimeException {
        public Unreadable(String message) { super(message, null, false, false); }
    }

    /** Disassembles {@code count} instructions starting at {@code address} (stops early at an unreadable byte). */
    public static List<Line> disassemble(ByteSource src, long address, int mode, int count) {
        List<Line> out = new ArrayList<>();
        long a = address;
        for (int n = 0; n < count; n++) {
            Line l = one(src, a, mode);
            if (l == null) break;
            out.add(l);
            a += l.length();
        }
        return out;
    }

    /** Disassembles the instructions that start in {@code code[0..]} (loaded at {@code address}) until {@code end}. */
    public static List<Line> disassemble(byte[] code, long address, long end, int mode) {
        ByteSource src = at -> {
            long off = at - address;
            if (off < 0 || off >= code.length) throw new Unreadable("beyond the buffer");
            return code[(int) off] & 0xFF;
        };
        List<Line> out = new ArrayList<>();
        for (long a = address; a < end; ) {
            Line l = one(src, a, mode);
            if (l == null) break;
            out.add(l);
            a += l.length();
        }
        return out;
    }

    /**
     * Disassembles the instruction at {@code address} in {@code mode} (16, 32 or 64). Returns null when
     * its first byte cannot be read; a truncated instruction is shown as {@code (bad)} over the bytes read.
     */
    public static Line one(ByteSource src, long address, int mode) {
        byte[] first;
        try {
            first = new byte[] {(byte) src.byteAt(address)};
        } catch (Unreadable e) {
            return null;
        }
        Insn d = new Insn();
        int[] read = {0};
        try {
            Decoder.decode(i -> {
                int b = src.byteAt(address + i);
                read[0] = Math.max(read[0], i + 1);
                return b;
            }, mode, d);
        } catch (Unreadable e) {
            return new Line(address, bytes(src, address, Math.max(1, read[0])), "(bad)");
        }
        if (d.op == Decoder.TOO_LONG) return new Line(address, first, "(bad)");
        byte[] raw = bytes(src, address, d.len);
        String text;
        try {
            text = new Formatter(raw, address, mode, d).text();
        } catch (RuntimeException e) {   // an encoding the formatter does not know: never fail a listing
            text = "(bad)";
        }
        return new Line(address, raw, text);
    }

    private static byte[] bytes(ByteSource src, long address, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) src.byteAt(address + i);
        return b;
    }

    /** Formats one decoded instruction; see the class comment for why it re-reads the encoding. */
    private static final class Formatter {
        private final byte[] raw;
        private final long address;
        private final int mode;
        private final Insn d;
        private int rex, seg = -1, modrm = -1, rep;
        private boolean opsz, adsz;
        private int count66;
        /** ES/CS/SS/DS override in 64-bit mode: no effect, so objdump names it before the mnemonic. */
        private int ignoredSeg = -1;
        private boolean twoByte;
        private int opc;
        private Entry entry;
        /** A prefix-selected SSE opcode: its 66/F3/F2 is no operand-size or REP prefix. */
        private boolean sse;

        Formatter(byte[] raw, long address, int mode, Insn d) {
            this.raw = raw;
            this.address = address;
            this.mode = mode;
            this.d = d;
            parse();
        }

        /** Prefixes, REX, opcode and ModRM, the way {@link Decoder} reads them. */
        private void parse() {
            int i = 0;
            while (true) {
                int b = raw[i++] & 0xFF;
                switch (b) {
                    case 0x66 -> { opsz = true; rex = 0; count66++; }
                    case 0x67 -> { adsz = true; rex = 0; }
                    case 0xF0 -> rex = 0;
                    case 0xF2, 0xF3 -> { rep = b; rex = 0; }
                    case 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65 -> { seg = segOfPrefix(b); rex = 0; }
                    default -> {
                        if (mode == 64 && (b & 0xF0) == 0x40) { rex = b; continue; }
                        if (mode == 64 && seg >= 0 && seg < 4) { ignoredSeg = seg; seg = -1; }
                        opc = b;
                        if (b == 0x0F) { twoByte = true; opc = raw[i++] & 0xFF; }
                        Entry r = OpcodeTable.raw(twoByte, opc);
                        if (r.has(OpcodeTable.MODRM) && !(twoByte && (opc == 0x38 || opc == 0x3A))) modrm = raw[i] & 0xFF;
                        entry = modrm >= 0 ? OpcodeTable.lookup(twoByte, opc, modrm) : r;
                        if (twoByte && r.has(OpcodeTable.SSE)) { // the mandatory prefix is part of the opcode
                            entry = SseTable.select(opc, opsz, rep);
                            sse = true;
                        }
                        return;
                    }
                }
            }
        }

        private static int segOfPrefix(int b) {
            return switch (b) {
                case 0x26 -> 0;
                case 0x2E -> 1;
                case 0x36 -> 2;
                case 0x3E -> 3;
                case 0x64 -> 4;
                default -> 5;
            };
        }

        String text() {
            if (twoByte && (opc == 0x38 || opc == 0x3A)) return "(bad)";
            if (d.op == Op.UD && !entry.asm().equals("UD2")) return "(bad)";
            String asm = entry.asm();
            int sp = asm.indexOf(' ');
            String mnem = (sp < 0 ? asm : asm.substring(0, sp)).toLowerCase(Locale.ROOT);
            String[] ops = sp < 0 ? new String[0] : asm.substring(sp + 1).split(",");
            String special = Specials.text(this, mnem, ops);
            if (special != null) return prefixText() + special;
            StringBuilder sb = new StringBuilder(prefixText()).append(mnemonic(mnem, ops));
            for (int k = 0; k < ops.length; k++) {
                sb.append(k == 0 ? " " : ",").append(operand(ops[k]));
            }
            if (d.mem && d.base == Insn.RIP_BASE) {
                sb.append("        # ").append(hex(address + raw.length + d.disp));
            }
            return sb.toString();
        }

        private String prefixText() {
            String p = ignoredSeg >= 0 && !(d.op == Op.NOP && twoByte) ? Seg(ignoredSeg) + " " : "";
            if (d.lock) p += "lock ";
            if (rep != 0 && !sse && d.op != Op.STRING && !(d.op == Op.NOP && opc == 0x90)) p += rep == 0xF3 ? "repz " : "repnz ";
            return p;
        }

        /** objdump's names where they differ from the SDM table's. */
        private String mnemonic(String m, String[] ops) {
            if (m.equals("mov") && (entry.immKind() == 4 && d.osize == 8 || ops.length > 0 && ops[0].startsWith("O") && mode == 64
                    || ops.length > 1 && ops[1].startsWith("O") && mode == 64)) {
                return "movabs";
            }
            if (m.equals("callf")) return "call";
            if (m.equals("movd") && d.osize == 8) return "movq";
            if (!d.mem && m.equals("movlps")) return "movhlps";
            if (!d.mem && m.equals("movhps")) return "movlhps";
            if ((m.equals("fxsave") || m.equals("fxrstor")) && (rex & 8) != 0) return m + "64";
            if (m.startsWith("pshift")) {
                int g = (modrm >>> 3) & 7;
                String kind = g == 2 ? "psrl" : g == 4 ? "psra" : g == 6 ? "psll" : g == 3 ? "psrl" : "psll";
                return kind + (g == 3 || g == 7 ? "dq" : m.substring(6));
            }
            if (m.equals("jmpf")) return "jmp";
            if ((m.equals("lgdt") || m.equals("lidt") || m.equals("sgdt") || m.equals("sidt")) && mode != 64) {
                return m + (d.osize == 2 ? "w" : "d");
            }
            return m;
        }

        String operand(String k) {
            return switch (k) {
                case "AL" -> "al";
                case "CL" -> "cl";
                case "DX" -> "dx";
                case "1" -> "1";
                case "rAX", "eAX" -> reg(0, d.osize);
                case "Eb", "Ev", "Ew", "Ed", "Rd" -> modrmRm(k);
                case "Gb", "Gv", "Gz" -> reg(gpr(((modrm >>> 3) & 7) | ((rex & 4) << 1)), k.equals("Gb") ? 1 : d.osize);
                case "Sw" -> SEGS[(modrm >>> 3) & 7];
                case "Vx" -> "xmm" + (((modrm >>> 3) & 7) | ((rex & 4) << 1));
                case "Wx", "Wq", "Wd", "Ux" -> d.mem ? memory(k.equals("Wq") ? "QWORD" : k.equals("Wd") ? "DWORD" : "XMMWORD")
                    : "xmm" + ((modrm & 7) | ((rex & 1) << 3));
                case "Mx" -> memory("XMMWORD");
                case "Md" -> memory("DWORD");
                case "My" -> memory(d.osize == 8 ? "QWORD" : "DWORD");
                case "Ey" -> d.mem ? memory(d.osize == 8 ? "QWORD" : "DWORD") : reg((modrm & 7) | ((rex & 1) << 3), d.osize == 8 ? 8 : 4);
                case "Gy", "Gd" -> reg(((modrm >>> 3) & 7) | ((rex & 4) << 1), d.osize == 8 ? 8 : 4);
                case "Cd" -> "cr" + (((modrm >>> 3) & 7) | ((rex & 4) << 1));
                case "Dd" -> "db" + ((modrm >>> 3) & 7);
                case "Zb", "Zv" -> reg(gpr((opc & 7) | ((rex & 1) << 3)), k.equals("Zb") ? 1 : d.osize);
                case "M", "Ms" -> memory(null);
                case "Mb" -> memory("BYTE");
                case "Mq" -> memory("QWORD");
                case "Mp" -> memory(d.osize == 2 ? "DWORD" : d.osize == 8 ? "TBYTE" : "FWORD");
                case "Ob", "Ov" -> (seg >= 0 ? Seg(seg) : "ds") + ":" + hex(d.disp);
                case "Ib" -> hex(d.imm & (entry.has(OpcodeTable.BYTE) || k.equals("Ib") && entry.immKind() == 10 ? 0xFF : mask(d.osize)));
                case "Iw" -> hex(d.imm & 0xFFFF);
                case "Iz", "Iv" -> hex(d.imm & mask(d.osize));
                case "Jb", "Jz" -> hex(target());
                case "Ap" -> hex(d.imm2) + ":" + hex(d.imm);
                default -> throw new IllegalStateException("operand kind " + k);
            };
        }

        private long target() {
            long t = address + raw.length + d.imm;
            if (mode == 64) return t;
            return d.osize == 2 ? t & 0xFFFF : t & 0xFFFF_FFFFL;
        }

        /** ModRM's r/m operand: a register of the operand's size, or memory with a size keyword. */
        private String modrmRm(String k) {
            int size = switch (k) {
                case "Eb" -> 1;
                case "Ew" -> 2;
                case "Ed" -> 4;
                case "Rd" -> mode == 64 ? 8 : 4;
                default -> d.osize;
            };
            if (!d.mem) {
                if (d.op == Op.MOV_SREG_RM || d.op == Op.MOV_RM_SREG) size = d.osize == 2 && opsz ? 2 : 4;
                return reg(gpr((modrm & 7) | ((rex & 1) << 3)), size);
            }
            if (d.op == Op.MOV_SREG_RM || d.op == Op.MOV_RM_SREG) size = 2;
            return memory(SIZES[size]);
        }

        /** A register number from the encoding; without REX, byte registers 4-7 are AH..BH. */
        private int gpr(int n) {
            return d.osize == 1 && rex == 0 && n >= 4 && n < 8 ? Insn.AH_BASE + n - 4 : n;
        }

        String memory(String size) {
            StringBuilder sb = new StringBuilder();
            if (size != null) sb.append(size).append(" PTR ");
            if (seg >= 0) sb.append(Seg(seg)).append(':');
            if (d.base == Insn.NONE && d.index == Insn.NONE) {
                if (seg < 0) sb.append("ds:");
                return sb.append(hex(d.disp & mask(d.asize))).toString();
            }
            sb.append('[');
            boolean any = false;
            if (d.base == Insn.RIP_BASE) { sb.append(d.asize == 4 ? "eip" : "rip"); any = true; }
            else if (d.base != Insn.NONE) { sb.append(reg(d.base, d.asize)); any = true; }
            if (d.index != Insn.NONE) {
                if (any) sb.append('+');
                sb.append(reg(d.index, d.asize)).append('*').append(1 << d.scale);
                any = true;
            }
            boolean hasDisp = d.base == Insn.NONE || d.base == Insn.RIP_BASE || (modrm >>> 6) == 1 || (modrm >>> 6) == 2
                    || d.asize == 2 && (modrm >>> 6) != 0;
            if (hasDisp) {
                long disp = d.disp;
                if (d.asize == 2) disp = (short) disp;
                if (!any) sb.append(hex(disp & mask(d.asize)));
                else if (disp < 0) sb.append('-').append(hex(-disp));
                else sb.append('+').append(hex(disp));
            }
            return sb.append(']').toString();
        }

        String reg(int n, int size) {
            if (n >= Insn.AH_BASE) return BYTE_HIGH[n - Insn.AH_BASE];
            return switch (size) {
                case 1 -> REG8[n];
                case 2 -> n < 8 ? REG64[n].substring(1) : REG64[n] + "w";
                case 4 -> n < 8 ? "e" + REG64[n].substring(1) : REG64[n] + "d";
                default -> REG64[n];
            };
        }

        int opc() { return opc; }
        int count66() { return count66; }
        int ignoredSeg() { return ignoredSeg; }
        void clearSeg() { seg = -1; }
        void restoreSeg(int s) { seg = s; }
        boolean twoByte() { return twoByte; }
        int rex() { return rex; }
        int rep() { return rep; }
        int seg() { return seg; }
        int modrm() { return modrm; }
        boolean opsz() { return opsz; }
        boolean adsz() { return adsz; }
        int mode() { return mode; }
        Insn insn() { return d; }
        Entry entry() { return entry; }
        long address() { return address; }
        int length() { return raw.length; }
    }

    static String Seg(int s) { return SEGS[s]; }

    static long mask(int size) { return size >= 8 ? -1L : (1L << (8 * size)) - 1; }

    static String hex(long v) { return "0x" + Long.toHexString(v); }

    static final String[] SEGS = {"es", "cs", "ss", "ds", "fs", "gs", "?", "?"};
    static final String[] SIZES = {null, "BYTE", "WORD", null, "DWORD", null, null, null, "QWORD"};
    static final String[] REG64 = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
    static final String[] REG8 = {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
        "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b"};
    static final String[] BYTE_HIGH = {"ah", "ch", "dh", "bh"};

    /** Instructions whose objdump text does not follow from the table's notation. */
    private static final class Specials {
        private Specials() { }

        static String text(Formatter f, String mnem, String[] ops) {
            Insn d = f.insn();
            int osz = d.osize;
            String sfx = osz == 8 ? "q" : osz == 2 ? "w" : "d";
            switch (d.op) {
                case Op.STRING -> { return string(f, d); }
                case Op.CBW -> { return osz == 2 ? "cbw" : osz == 4 ? "cwde" : "cdqe"; }
                case Op.CWD -> { return osz == 2 ? "cwd" : osz == 4 ? "cdq" : "cqo"; }
                case Op.JCXZ -> {
                    return (d.asize == 2 ? "jcxz " : d.asize == 4 ? "jecxz " : "jrcxz ") + f.operand("Jb");
                }
                case Op.IRET -> { return osz == 8 ? "iretq" : osz == 2 ? "iretw" : "iret"; }
                case Op.PUSHF -> { return mnemSized("pushf", f, osz); }
                case Op.POPF -> { return mnemSized("popf", f, osz); }
                case Op.PUSHA -> { return osz == 2 ? "pushaw" : "pusha"; }
                case Op.POPA -> { return osz == 2 ? "popaw" : "popa"; }
                case Op.NOP -> {
                    if (!f.twoByte() && f.opc() == 0x90) {
                        if (f.rep() == 0xF3) return "pause";
                        return f.opsz() ? "xchg ax,ax" : "nop";
                    }
                    if (f.entry().asm().equals("FWAIT")) return "fwait";
                    // Multi-byte NOP padding (66 2E 0F 1F ...): objdump names the redundant prefixes
                    // before the mnemonic instead of folding the segment into the operand.
                    String p = "data16 ".repeat(Math.max(0, f.count66() - 1));
                    if (f.seg() >= 0) p += Seg(f.seg()) + " ";
                    if (f.ignoredSeg() >= 0) p += Seg(f.ignoredSeg()) + " ";
                    int s = f.seg();
                    f.clearSeg();
                    String m = p + "nop " + f.operand("Ev");
                    f.restoreSeg(s);
                    return m;
                }
                case Op.SWAPGS -> { return (f.modrm() & 7) == 0 ? "swapgs" : (f.modrm() & 7) == 1 ? "rdtscp" : "(bad)"; }
                case Op.RET, Op.RETF -> {
                    String m = d.op == Op.RET ? "ret" : "retf";
                    if (f.opsz()) m += "w";
                    return ops.length == 0 ? m : m + " " + f.operand("Iw");
                }
                case Op.PUSH_IMM -> {
                    long v = d.imm & mask(f.mode() == 64 && osz == 8 ? 8 : osz);
                    return "push " + hex(v);
                }
                case Op.SYSRET -> { return (f.rex() & 8) != 0 ? "sysretq" : "sysret"; }
                case Op.SYSCALL -> { return "syscall"; }
                case Op.INT1 -> { return "int1"; }
                case Op.XLAT -> { return "xlat BYTE PTR " + (f.seg() >= 0 ? Seg(f.seg()) : "ds") + ":[" + f.reg(3, d.asize) + "]"; }
                case Op.IN -> { return "in " + f.reg(0, osz) + "," + (d.sub == 0 ? hex(d.imm) : "dx"); }
                case Op.OUT -> { return "out " + (d.sub == 0 ? hex(d.imm) : "dx") + "," + f.reg(0, osz); }
                case Op.SHIFT -> {
                    if (ops.length > 1 && ops[1].equals("Ib")) return mnem + " " + f.operand(ops[0]) + "," + hex(d.imm & 0xFF);
                    return null;
                }
                case Op.ENTER -> { return "enter " + hex(d.imm) + "," + hex(d.imm2); }
                case Op.MOV_R_CR, Op.MOV_CR_R, Op.MOV_R_DR, Op.MOV_DR_R -> {
                    String r = f.reg((f.modrm() & 7) | ((f.rex() & 1) << 3), f.mode() == 64 ? 8 : 4);
                    String c = f.operand(ops[d.op == Op.MOV_R_CR || d.op == Op.MOV_R_DR ? 1 : 0]);
                    return d.op == Op.MOV_R_CR || d.op == Op.MOV_R_DR ? "mov " + r + "," + c : "mov " + c + "," + r;
                }
                case Op.BSWAP -> { return "bswap " + f.operand("Zv"); }
                default -> { return null; }
            }
        }

        private static String mnemSized(String m, Formatter f, int osz) {
            if (f.mode() == 64) return osz == 2 ? m + "w" : m;
            return osz == 2 ? m + "w" : m;
        }

        /** String instructions: objdump spells out the implicit operands, es:[rDI] and ds:[rSI]. */
        private static String string(Formatter f, Insn d) {
            String[] names = {"movs", "cmps", "stos", "lods", "scas", "ins", "outs"};
            int size = d.osize;
            String sz = SIZES[size];
            String di = sz + " PTR es:[" + f.reg(7, d.asize) + "]";
            String si = sz + " PTR " + (f.seg() >= 0 ? Seg(f.seg()) : "ds") + ":[" + f.reg(6, d.asize) + "]";
            String acc = f.reg(0, size);
            String ops = switch (d.sub) {
                case 0 -> di + "," + si;
                case 1 -> si + "," + di;
                case 2 -> di + "," + acc;
                case 3 -> acc + "," + si;
                case 4 -> acc + "," + di;
                case 5 -> di + ",dx";
                default -> "dx," + si;
            };
            String rep = "";
            if (f.rep() != 0) {
                boolean cond = d.sub == 1 || d.sub == 4;
                rep = f.rep() == 0xF3 ? (cond ? "repz " : "rep ") : (cond ? "repnz " : "repnz ");
            }
            return rep + names[d.sub] + " " + ops;
        }
    }
}
