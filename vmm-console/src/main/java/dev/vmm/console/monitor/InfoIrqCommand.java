package dev.vmm.console.monitor;

import dev.vmm.core.apic.IoApic;
import dev.vmm.core.apic.LocalApic;
import dev.vmm.core.devices.Pic8259;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code info irq}: the interrupt routing now: IOAPIC redirection entries, the 8259 masks, each APIC's IRR/ISR. */
@Command(name = "irq", description = "Interrupt routing: the IOAPIC's redirection entries (unmasked ones; --all for every pin), the 8259s (mask, IRR, ISR, vector base, INT), and each local APIC's IRR and ISR and whether its LINT0 takes the 8259s.")
final class InfoIrqCommand extends JsonInfoCommand {
    @Option(names = "--all", description = "Show masked IOAPIC pins too.")
    boolean all;

    @Override
    void execute() {
        s.inspect(() -> {
            IoApic io = s.vm.platform().ioapic();
            Pic8259 pic = s.vm.platform().pic();
            List<Object> pins = new ArrayList<>();
            for (int n = 0; n < IoApic.PINS; n++) {
                long e = io.redirectionEntry(n);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("pin", n);
                m.put("entry", e);
                m.put("vector", e & 0xFF);
                m.put("masked", io.masked(n));
                m.put("asserted", io.pinAsserted(n));
                pins.add(m);
            }
            List<Object> apics = new ArrayList<>();
            List<LocalApic> la = s.vm.platform().apics();
            for (int i = 0; i < la.size(); i++) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("cpu", s.vm.cpus().get(i).apicId());
                m.put("irr", ApicView.vectors(la.get(i), 0x200));
                m.put("isr", ApicView.vectors(la.get(i), 0x100));
                m.put("lint0_8259", la.get(i).lint0Open());
                apics.add(m);
            }
            int[] ms = pic.registers(0), sl = pic.registers(1); // IMR, IRR, ISR
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("ioapic_id", io.id());
                m.put("ioapic_messages", io.messagesSent());
                m.put("ioapic", pins);
                m.put("pic_master_mask", ms[0]);
                m.put("pic_slave_mask", sl[0]);
                m.put("pic_vector_bases", List.of(pic.masterVectorBase(), pic.slaveVectorBase()));
                m.put("pic_irr", List.of(ms[1], sl[1]));
                m.put("pic_isr", List.of(ms[2], sl[2]));
                m.put("pic_int", pic.intr());
                m.put("lapics", apics);
                println(Json.of(m));
                return;
            }
            int shown = 0;
            println(String.format("IOAPIC id %d at %#x: %d messages sent", io.id(), IoApic.DEFAULT_BASE, io.messagesSent()));
            for (Object o : pins) {
                Map<?, ?> m = (Map<?, ?>) o;
                if (!all && (Boolean) m.get("masked")) continue;
                shown++;
                println(String.format("  pin %2d: %s%s", m.get("pin"), ApicView.redirection((Long) m.get("entry")), (Boolean) m.get("asserted") ? " (wire asserted)" : ""));
            }
            if (shown == 0) println("  every pin masked" + (all ? "" : " (--all shows them)"));
            println(String.format("8259 PIC: master mask %#04x IRR %#04x ISR %#04x vector base %#04x, slave mask %#04x IRR %#04x ISR %#04x vector base %#04x; INT %s",
                ms[0], ms[1], ms[2], pic.masterVectorBase(), sl[0], sl[1], sl[2], pic.slaveVectorBase(), pic.intr() ? "asserted" : "low"));
            for (Object o : apics) {
                Map<?, ?> m = (Map<?, ?>) o;
                @SuppressWarnings("unchecked") List<Integer> irr = (List<Integer>) m.get("irr");
                @SuppressWarnings("unchecked") List<Integer> isr = (List<Integer>) m.get("isr");
                println(String.format("cpu%s local APIC: IRR %s; ISR %s%s", m.get("cpu"), ApicView.vectorList(irr), ApicView.vectorList(isr),
                    (Boolean) m.get("lint0_8259") ? "; LINT0 takes the 8259s (ExtINT)" : ""));
            }
        });
    }
}
