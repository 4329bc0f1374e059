package dev.vmm.cpu;

/** Segment register numbers in encoding order (ModRM.reg of MOV Sreg, SDM table 3-?). */
public final class Seg {
    private Seg() { }

    public static final int ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;
    public static final String[] NAMES = {"es", "cs", "ss", "ds", "fs", "gs"};
}
