package dev.vmm.console.monitor;

import dev.vmm.cpu.Cpu;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code info cpus}. */
@Command(name = "cpus", description = "Every vCPU: where it is and whether it runs, halted or shut down.")
final class InfoCpusCommand extends JsonInfoCommand {

    @Override
    void execute() {
        s.inspect(() -> {
            String state = s.ended() ? "ended" : s.vm.isPaused() ? "stopped" : "running";
            List<Object> rows = new ArrayList<>();
            for (Cpu c : s.vm.cpus()) {
                String st = c.shutdown ? "shutdown" : c.halted ? "halted" : state;
                if (json) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("cpu", c.apicId());
                    m.put("rip", c.rip);
                    m.put("mode", c.codeMode);
                    m.put("state", st);
                    m.put("instructions", c.instructions);
                    rows.add(m);
                } else {
                    println(String.format("%s CPU #%d: RIP=%#x %d-bit %s, %d instructions", c.apicId() == 0 ? "*" : " ",
                        c.apicId(), c.rip, c.codeMode, st, c.instructions));
                }
            }
            if (json) println(Json.of(rows));
        });
    }
}
