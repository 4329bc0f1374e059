package dev.vmm.console.monitor;

import dev.vmm.console.serial.ConsolePort;
import dev.vmm.console.serial.ConsoleStats;
import dev.vmm.console.serial.SerialSpec;
import dev.vmm.core.devices.Uart16550;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code info console}: each COM port: its UART's counters and its host side (--serial), with the console server's counters. */
@Command(name = "console", description = "Each serial port: the UART's bytes transmitted/received and overruns, where its host side is (--serial), and a console server port's clients and byte counts.")
final class InfoConsoleCommand extends JsonInfoCommand {

    @Override
    void execute() {
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Uart16550> uarts = s.vm.serialPorts();
        for (int i = 0; i < uarts.size(); i++) {
            Uart16550 u = uarts.get(i);
            String name = "COM" + (comIndex(u.base()) + 1);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("port", name);
            m.put("base", u.base());
            m.put("transmitted", u.transmittedBytes());
            m.put("received", u.receivedBytes());
            m.put("overruns", u.overrunCount());
            m.put("irq_asserted", u.irqAsserted());
            SerialSpec spec = s.serial == null ? null : comIndex(u.base()) < s.serial.specs().size() ? s.serial.specs().get(comIndex(u.base())) : null;
            m.put("host", spec == null ? (i == 0 ? "monitor (printed above the prompt)" : "none") : spec.kind() == SerialSpec.Kind.STDIO ? "stdio (printed above the prompt)" : spec.toString());
            ConsolePort cp = null;
            if (s.serial != null && s.serial.server() != null) {
                for (ConsolePort p : s.serial.server().ports()) if (p.name().equals(name)) cp = p;
            }
            if (cp != null) {
                ConsoleStats st = cp.stats();
                var a = cp.localAddress();
                m.put("host", "tcp:" + a.getHostString() + ":" + a.getPort() + (cp.spec().telnet() ? ",telnet" : ",raw"));
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("connections", st.connections());
                c.put("clients", st.clients());
                c.put("disconnections", st.disconnections());
                c.put("slow_drops", st.slowDrops());
                c.put("errors", st.errors());
                c.put("bytes_in", st.bytesIn());
                c.put("guest_out", st.guestOut());
                c.put("bytes_out", st.bytesOut());
                c.put("input_pauses", st.inputPauses());
                c.put("telnet_commands", st.telnetCommands());
                m.put("server", c);
                m.put("summary", st.toString());
            }
            rows.add(m);
        }
        if (json) { println(Json.of(rows)); return; }
        for (Map<String, Object> m : rows) {
            println(String.format("%s (%#x): %s; UART transmitted %s, received %s, overruns %s%s", m.get("port"), m.get("base"), m.get("host"),
                m.get("transmitted"), m.get("received"), m.get("overruns"), (Boolean) m.get("irq_asserted") ? ", IRQ asserted" : ""));
            if (m.containsKey("summary")) println("  console server: " + m.get("summary"));
        }
    }

    /** COM1 0x3F8, COM2 0x2F8, COM3 0x3E8, COM4 0x2E8. */
    private static int comIndex(int base) {
        return switch (base) { case 0x3F8 -> 0; case 0x2F8 -> 1; case 0x3E8 -> 2; case 0x2E8 -> 3; default -> 0; };
    }
}
