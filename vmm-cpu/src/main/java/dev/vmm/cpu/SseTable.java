package dev.vmm.cpu;

import static dev.vmm.cpu.OpcodeTable.IBU;
import static dev.vmm.cpu.OpcodeTable.MEMONLY;
import static dev.vmm.cpu.OpcodeTable.MODRM;
import static dev.vmm.cpu.OpcodeTable.REGONLY;

import dev.vmm.cpu.OpcodeTable.Entry;

/**
 * The SSE/SSE2 part of the two-byte opcode map (SDM vol. 2, table A-3), where a mandatory prefix
 * selects the instruction: none (packed single, and MOVNTI), 66 (packed double, the 128-bit integer
 * instructions), F3 (scalar single, MOVDQU, MOVQ), F2 (scalar double). F3/F2 take precedence over 66.
 * The two-byte table marks these opcodes {@link OpcodeTable#SSE}; the decoder then picks the row here.
 *
 * <p>Operand notation as in the SDM: V = XMM register in ModRM.reg, W = XMM register or memory in
 * ModRM.r/m, U = XMM register in ModRM.r/m, x = 128 bits, q = 64, d = 32, y = 32 or 64 (REX.W).
 * What is not listed (floating-point arithmetic and conversions, MMX forms without a prefix, SSE3 and
 * later) stays {@link OpcodeTable#INVALID} and raises #UD.
 */
public final class SseTable {
    private SseTable() { }

    /** [prefix: 0 none, 1 66, 2 F3, 3 F2][opcode]. */
    static final Entry[][] ROWS = new Entry[4][256];

    /** The entry for 0F {@code opc} under the given prefixes. */
    public static Entry select(int opc, boolean opsz, int rep) {
        return ROWS[row(opsz, rep)][opc];
    }

    static int row(boolean opsz, int rep) { return rep == 0xF3 ? 2 : rep == 0xF2 ? 3 : opsz ? 1 : 0; }

    private static void e(int row, int opc, String asm, int sub, int flags) {
        ROWS[row][opc] = new Entry(asm, Op.SSE, sub, flags | MODRM);
    }

    /** Packed integer instruction of the 66 row: {@code kind} per lane of {@code 1 << sizeLog} bytes. */
    private static void p(int opc, String name, int kind, int sizeLog) {
        e(1, opc, name + " Vx,Wx", Sse.lane(kind, sizeLog), 0);
    }

    static {
        for (Entry[] r : ROWS) java.util.Arrays.fill(r, OpcodeTable.INVALID);
        // moves
        e(0, 0x10, "MOVUPS Vx,Wx", Sse.MOVU_LOAD, 0);
        e(1, 0x10, "MOVUPD Vx,Wx", Sse.MOVU_LOAD, 0);
        e(2, 0x10, "MOVSS Vx,Wd", Sse.MOVSS_LOAD, 0);
        e(3, 0x10, "MOVSD Vx,Wq", Sse.MOVSD_LOAD, 0);
        e(0, 0x11, "MOVUPS Wx,Vx", Sse.MOVU_STORE, 0);
        e(1, 0x11, "MOVUPD Wx,Vx", Sse.MOVU_STORE, 0);
        e(2, 0x11, "MOVSS Wd,Vx", Sse.MOVSS_STORE, 0);
        e(3, 0x11, "MOVSD Wq,Vx", Sse.MOVSD_STORE, 0);
        e(0, 0x12, "MOVLPS Vx,Wq", Sse.MOVLPS_LOAD, 0);   // register form: MOVHLPS
        e(1, 0x12, "MOVLPD Vx,Mq", Sse.MOVLPS_LOAD, MEMONLY);
        e(0, 0x13, "MOVLPS Mq,Vx", Sse.MOVLPS_STORE, MEMONLY);
        e(1, 0x13, "MOVLPD Mq,Vx", Sse.MOVLPS_STORE, MEMONLY);
        e(0, 0x14, "UNPCKLPS Vx,Wx", Sse.lane(Sse.UNPCKL, 2), 0);
        e(1, 0x14, "UNPCKLPD Vx,Wx", Sse.lane(Sse.UNPCKL, 3), 0);
        e(0, 0x15, "UNPCKHPS Vx,Wx", Sse.lane(Sse.UNPCKH, 2), 0);
        e(1, 0x15, "UNPCKHPD Vx,Wx", Sse.lane(Sse.UNPCKH, 3), 0);
        e(0, 0x16, "MOVHPS Vx,Wq", Sse.MOVHPS_LOAD, 0);   // register form: MOVLHPS
        e(1, 0x16, "MOVHPD Vx,Mq", Sse.MOVHPS_LOAD, MEMONLY);
        e(0, 0x17, "MOVHPS Mq,Vx", Sse.MOVHPS_STORE, MEMONLY);
        e(1, 0x17, "MOVHPD Mq,Vx", Sse.MOVHPS_STORE, MEMONLY);
        e(0, 0x28, "MOVAPS Vx,Wx", Sse.MOVA_LOAD, 0);
        e(1, 0x28, "MOVAPD Vx,Wx", Sse.MOVA_LOAD, 0);
        e(0, 0x29, "MOVAPS Wx,Vx", Sse.MOVA_STORE, 0);
        e(1, 0x29, "MOVAPD Wx,Vx", Sse.MOVA_STORE, 0);
        e(0, 0x2B, "MOVNTPS Mx,Vx", Sse.MOVA_STORE, MEMONLY);
        e(1, 0x2B, "MOVNTPD Mx,Vx", Sse.MOVA_STORE, MEMONLY);
        e(0, 0x50, "MOVMSKPS Gd,Ux", Sse.MOVMSKPS, REGONLY);
        e(1, 0x50, "MOVMSKPD Gd,Ux", Sse.MOVMSKPD, REGONLY);
        e(0, 0x54, "ANDPS Vx,Wx", Sse.lane(Sse.AND, 3), 0);
        e(1, 0x54, "ANDPD Vx,Wx", Sse.lane(Sse.AND, 3), 0);
        e(0, 0x55, "ANDNPS Vx,Wx", Sse.lane(Sse.ANDN, 3), 0);
        e(1, 0x55, "ANDNPD Vx,Wx", Sse.lane(Sse.ANDN, 3), 0);
        e(0, 0x56, "ORPS Vx,Wx", Sse.lane(Sse.OR, 3), 0);
        e(1, 0x56, "ORPD Vx,Wx", Sse.lane(Sse.OR, 3), 0);
        e(0, 0x57, "XORPS Vx,Wx", Sse.lane(Sse.XOR, 3), 0);
        e(1, 0x57, "XORPD Vx,Wx", Sse.lane(Sse.XOR, 3), 0);
        e(1, 0x6E, "MOVD Vx,Ey", Sse.MOVD_LOAD, 0);
        e(1, 0x7E, "MOVD Ey,Vx", Sse.MOVD_STORE, 0);
        e(2, 0x7E, "MOVQ Vx,Wq", Sse.MOVQ_LOAD, 0);
        e(1, 0xD6, "MOVQ Wq,Vx", Sse.MOVQ_STORE, 0);
        e(1, 0x6F, "MOVDQA Vx,Wx", Sse.MOVA_LOAD, 0);
        e(2, 0x6F, "MOVDQU Vx,Wx", Sse.MOVU_LOAD, 0);
        e(1, 0x7F, "MOVDQA Wx,Vx", Sse.MOVA_STORE, 0);
        e(2, 0x7F, "MOVDQU Wx,Vx", Sse.MOVU_STORE, 0);
        e(1, 0xE7, "MOVNTDQ Mx,Vx", Sse.MOVA_STORE, MEMONLY);
        e(1, 0xD7, "PMOVMSKB Gd,Ux", Sse.PMOVMSKB, REGONLY);
        ROWS[0][0xC3] = new Entry("MOVNTI My,Gy", Op.SSE, Sse.MOVNTI, MODRM | MEMONLY);
        // shuffles
        e(1, 0x70, "PSHUFD Vx,Wx,Ib", Sse.PSHUFD, IBU);
        e(2, 0x70, "PSHUFHW Vx,Wx,Ib", Sse.PSHUFHW, IBU);
        e(3, 0x70, "PSHUFLW Vx,Wx,Ib", Sse.PSHUFLW, IBU);
        e(0, 0xC6, "SHUFPS Vx,Wx,Ib", Sse.SHUFPS, IBU);
        e(1, 0xC6, "SHUFPD Vx,Wx,Ib", Sse.SHUFPD, IBU);
        // shifts by immediate: groups 12, 13, 14 (the operation is in ModRM.reg)
        e(1, 0x71, "PSHIFTW Ux,Ib", Sse.SHIFT_IMM + 1, REGONLY | IBU);
        e(1, 0x72, "PSHIFTD Ux,Ib", Sse.SHIFT_IMM + 2, REGONLY | IBU);
        e(1, 0x73, "PSHIFTQ Ux,Ib", Sse.SHIFT_IMM + 3, REGONLY | IBU);
        // packed integer arithmetic, logic, compares, unpacks, packs
        String[] bwdq = {"B", "W", "D", "Q"};
        for (int s = 0; s < 3; s++) {
            p(0x60 + s, "PUNPCKL" + "BW,WD,DQ".split(",")[s], Sse.UNPCKL, s);
            p(0x68 + s, "PUNPCKH" + "BW,WD,DQ".split(",")[s], Sse.UNPCKH, s);
            p(0x64 + s, "PCMPGT" + bwdq[s], Sse.CMPGT, s);
            p(0x74 + s, "PCMPEQ" + bwdq[s], Sse.CMPEQ, s);
            p(0xFC + s, "PADD" + bwdq[s], Sse.ADD, s);
        }
        p(0x6C, "PUNPCKLQDQ", Sse.UNPCKL, 3);
        p(0x6D, "PUNPCKHQDQ", Sse.UNPCKH, 3);
        p(0x63, "PACKSSWB", Sse.PACKSS, 1);
        p(0x6B, "PACKSSDW", Sse.PACKSS, 2);
        p(0x67, "PACKUSWB", Sse.PACKUS, 1);
        p(0xD4, "PADDQ", Sse.ADD, 3);
        for (int s = 0; s < 4; s++) p(0xF8 + s, "PSUB" + bwdq[s], Sse.SUB, s);
        p(0xD1, "PSRLW", Sse.SRL, 1);
        p(0xD2, "PSRLD", Sse.SRL, 2);
        p(0xD3, "PSRLQ", Sse.SRL, 3);
        p(0xE1, "PSRAW", Sse.SRA, 1);
        p(0xE2, "PSRAD", Sse.SRA, 2);
        p(0xF1, "PSLLW", Sse.SLL, 1);
        p(0xF2, "PSLLD", Sse.SLL, 2);
        p(0xF3, "PSLLQ", Sse.SLL, 3);
        p(0xD5, "PMULLW", Sse.MULL, 1);
        p(0xE5, "PMULHW", Sse.MULH, 1);
        p(0xE4, "PMULHUW", Sse.MULHU, 1);
        p(0xF4, "PMULUDQ", Sse.MULUDQ, 3);
        p(0xF5, "PMADDWD", Sse.MADDWD, 2);
        p(0xF6, "PSADBW", Sse.SADBW, 3);
        p(0xD8, "PSUBUSB", Sse.SUBUS, 0);
        p(0xD9, "PSUBUSW", Sse.SUBUS, 1);
        p(0xE8, "PSUBSB", Sse.SUBS, 0);
        p(0xE9, "PSUBSW", Sse.SUBS, 1);
        p(0xDC, "PADDUSB", Sse.ADDUS, 0);
        p(0xDD, "PADDUSW", Sse.ADDUS, 1);
        p(0xEC, "PADDSB", Sse.ADDS, 0);
        p(0xED, "PADDSW", Sse.ADDS, 1);
        p(0xDA, "PMINUB", Sse.MINU, 0);
        p(0xDE, "PMAXUB", Sse.MAXU, 0);
        p(0xEA, "PMINSW", Sse.MINS, 1);
        p(0xEE, "PMAXSW", Sse.MAXS, 1);
        p(0xE0, "PAVGB", Sse.AVG, 0);
        p(0xE3, "PAVGW", Sse.AVG, 1);
        p(0xDB, "PAND", Sse.AND, 3);
        p(0xDF, "PANDN", Sse.ANDN, 3);
        p(0xEB, "POR", Sse.OR, 3);
        p(0xEF, "PXOR", Sse.XOR, 3);
    }

    /** Marks the prefix-selected opcodes in the two-byte table. */
    static void markTwoByteTable(Entry[] two) {
        for (int opc = 0; opc < 256; opc++) {
            boolean any = false;
            for (Entry[] r : ROWS) any |= r[opc] != OpcodeTable.INVALID;
            if (any) two[opc] = new Entry("sse", Op.UD, 0, OpcodeTable.SSE | MODRM);
        }
    }
}
