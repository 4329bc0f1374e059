package dev.vmm.console.monitor;

import dev.vmm.cpu.Cpu;
import dev.vmm.cpu.disasm.Disassembler;

import java.util.List;

/** The disassembler over guest memory: linear (through the page tables) or physical. */
final class Disasm {
    private Disasm() { }

    static List<Disassembler.Line> at(Cpu c, long addr, boolean linear, int count) {
        Disassembler.ByteSource src = a -> {
            try {
                return GuestView.readByte(c, a, linear);
            } catch (MonitorError e) {
                throw new Disassembler.Unreadable(e.getMessage());
            }
        };
        return Disassembler.disassemble(src, addr, c.codeMode, count);
    }

    /** The instruction at RIP {@code rip} of the current code segment, or why it cannot be read. */
    static String insnAt(Cpu c, long rip) {
        long lin = c.codeMode == 64 ? rip : (c.segBase[dev.vmm.cpu.Seg.CS] + rip) & 0xFFFF_FFFFL;
        try {
            List<Disassembler.Line> l = at(c, lin, true, 1);
            return l.isEmpty() ? "(not mapped)" : l.get(0).text();
        } catch (MonitorError e) {
            return "(" + e.getMessage() + ")";
        }
    }

    /** "cpu0 at 0x1000b0: mov ax,0x10", or without the instruction when it cannot be read. */
    static String where(Cpu c) {
        long lin = c.linearRip();
        List<Disassembler.Line> l = at(c, lin, true, 1);
        String insn = l.isEmpty() ? "(not mapped)" : l.get(0).text();
        return String.format("cpu%d at %#x: %s", c.apicId(), c.rip, insn) + (c.halted ? " (halted)" : "");
    }
}
