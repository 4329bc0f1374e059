package dev.vmm.console.monitor;

import dev.vmm.core.apic.LocalApic;
import dev.vmm.cpu.Cpu;
import picocli.CommandLine.Command;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code info lapic [CPU]}: a vCPU's local APIC registers. */
@Command(name = "lapic", description = "A vCPU's local APIC: ID, mode, SVR, TPR/PPR, the LVT, the timer, and the vectors in IRR, ISR and TMR.")
final class InfoLapicCommand extends CpuInfoCommand {

    @Override
    void execute() {
        s.inspect(() -> {
            Cpu c = s.cpu(cpu);
            LocalApic a = s.vm.platform().apics().get(s.vm.cpus().indexOf(c));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cpu", c.apicId());
            m.put("id", a.id());
            m.put("base", a.base());
            m.put("enabled", a.hardwareEnabled());
            m.put("x2apic", a.x2apic());
            m.put("svr", a.readRegister(0xF0));
            m.put("tpr", a.readRegister(0x80));
            m.put("ppr", a.readRegister(0xA0));
            m.put("esr", a.readRegister(0x280));
            Map<String, Object> lvt = new LinkedHashMap<>();
            for (int i = 0; i < ApicView.LVT_NAMES.length; i++) lvt.put(ApicView.LVT_NAMES[i], a.readRegister(ApicView.LVT_OFFSETS[i]));
            m.put("lvt", lvt);
            m.put("timer_initial", a.readRegister(0x380));
            m.put("timer_current", a.readRegister(0x390));
            m.put("timer_divide", a.readRegister(0x3E0));
            m.put("timer_interrupts", a.timerInterrupts());
            m.put("irr", ApicView.vectors(a, 0x200));
            m.put("isr", ApicView.vectors(a, 0x100));
            m.put("tmr", ApicView.vectors(a, 0x180));
            m.put("waiting_for_sipi", a.waitingForSipi());
            if (json) { println(Json.of(m)); return; }
            long svr = (Long) m.get("svr");
            println(String.format("cpu%d local APIC: id %d, %s, base %#x, %s%s", c.apicId(), a.id(), a.x2apic() ? "x2APIC mode" : "xAPIC mode",
                a.base(), a.hardwareEnabled() ? "enabled" : "disabled (IA32_APIC_BASE.EN=0)", a.waitingForSipi() ? ", waiting for SIPI" : ""));
            println(String.format("  SVR %#x (software %s, spurious vector %#x), TPR %#x, PPR %#x, ESR %#x", svr,
                (svr & 0x100) != 0 ? "enabled" : "disabled", svr & 0xFF, m.get("tpr"), m.get("ppr"), m.get("esr")));
            for (int i = 0; i < ApicView.LVT_NAMES.length; i++) {
                println(String.format("  LVT %-8s %s", ApicView.LVT_NAMES[i], ApicView.lvt(i, a.readRegister(ApicView.LVT_OFFSETS[i]))));
            }
            println(String.format("  timer: initial count %d, current count %d, divide config %#x; %d timer interrupts",
                m.get("timer_initial"), m.get("timer_current"), m.get("timer_divide"), a.timerInterrupts()));
            println("  IRR " + ApicView.vectorList(ApicView.vectors(a, 0x200)) + "; ISR " + ApicView.vectorList(ApicView.vectors(a, 0x100))
                + "; TMR " + ApicView.vectorList(ApicView.vectors(a, 0x180)));
        });
    }
}
