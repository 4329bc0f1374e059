package dev.vmm.console.monitor;

import dev.vmm.cpu.Cpu;
import picocli.CommandLine.Command;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code info registers [CPU]}. */
@Command(name = "registers", aliases = "r", description = "A vCPU's registers.")
final class InfoRegistersCommand extends CpuInfoCommand {

    @Override
    void execute() {
        s.inspect(() -> {
            Cpu c = s.cpu(cpu);
            Map<String, Long> regs = Registers.all(c);
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("cpu", c.apicId());
                m.putAll(regs);
                m.put("mode", c.codeMode);
                m.put("halted", c.halted);
                println(Json.of(m));
                return;
            }
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 16; i++) {
                sb.append(String.format("%-3s=%016x", Registers.GPR[i].toUpperCase(), c.r[i])).append(i % 4 == 3 ? "\n" : " ");
            }
            sb.append(String.format("RIP=%016x RFL=%08x [%s] CPL=%d %d-bit%s%n", c.rip, c.rflags(), Registers.flags(c.rflags()),
                c.cpl, c.codeMode, c.halted ? " HLT" : ""));
            for (int i = 0; i < 6; i++) {
                sb.append(String.format("%s =%04x %016x %08x %04x%n", Registers.SEG[i].toUpperCase(), c.segSel[i], c.segBase[i],
                    c.segLimit[i], c.segAttr[i]));
            }
            sb.append(String.format("CR0=%08x CR2=%016x CR3=%016x CR4=%08x EFER=%x%n", c.cr0, c.cr2, c.cr3, c.cr4, c.efer));
            sb.append(String.format("GDT=%016x %04x IDT=%016x %04x", c.gdtrBase, c.gdtrLimit, c.idtrBase, c.idtrLimit));
            println(sb.toString());
        });
    }
}
