package dev.vmm.console.monitor;

import dev.vmm.core.MachineConfig;
import dev.vmm.images.ImageCatalog;
import org.jline.terminal.Terminal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code info lapic} and {@code info irq} at power-on, against the reset state the manuals give: Intel
 * SDM vol. 3 §11.4.7.1 (local APIC after reset: SVR 0xFF, every LVT entry 0x00010000 (masked), TPR 0,
 * IRR/ISR clear, ID = the processor's APIC ID) and the 82093AA IOAPIC datasheet (every redirection entry
 * masked after reset) - but for the bootstrap processor's LINT0, which the BIOS leaves in ExtINT mode
 * (MP specification 3.6.2.2, virtual wire mode; QEMU's APIC starts that way too).
 */
class MonitorDevicesTest {
    @TempDir
    Path tmp;

    @Test
    void apicsAndIoapicShowTheirResetState() throws Exception {
        byte[] in = "info lapic\ninfo lapic 1 --json\ninfo irq\ninfo irq --all --json\ninfo lapic 5\nquit\n".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Terminal t = MonitorLauncher.terminal(new ByteArrayInputStream(in), out, false)) {
            MonitorLauncher.run(t, tmp.resolve("h"), new MachineConfig(64L << 20, "", List.of(), 2), "hello",
                ImageCatalog.find("hello").orElseThrow(), List.of(), true);
        }
        String o = out.toString(StandardCharsets.UTF_8);
        assertTrue(o.contains("cpu0 local APIC: id 0, xAPIC mode, base 0xfee00000, enabled"), o);
        assertTrue(o.contains("SVR 0xff (software disabled, spurious vector 0xff), TPR 0x0"), o);
        for (String lvt : new String[] {"CMCI", "Timer", "Thermal", "PerfMon", "LINT1", "Error"}) {
            assertTrue(o.matches("(?s).*LVT " + lvt + " +0x00010000 .*masked\n.*"), lvt + ": " + o);
        }
        assertTrue(o.contains("LVT LINT0    0x00000700 vector 0x00 ExtINT edge\n"), "the BSP's LINT0 is a virtual wire: " + o);
        assertTrue(o.contains("\"LINT0\":65536"), "an AP's LINT0 is masked: " + o);
        assertTrue(o.contains("IRR -; ISR -; TMR -"), o);
        assertTrue(o.contains("{\"cpu\":1,\"id\":1,\"base\":4276092928,\"enabled\":true,\"x2apic\":false,\"svr\":255"), o);
        assertTrue(o.contains("every pin masked (--all shows them)"), o);
        assertEquals(24, o.split("\"masked\":true", -1).length - 1, "all 24 IOAPIC pins masked: " + o);
        assertTrue(o.contains("cpu1 local APIC: IRR -; ISR -\n"), "an AP's LINT0 is masked: " + o);
        assertTrue(o.contains("cpu0 local APIC: IRR -; ISR -; LINT0 takes the 8259s (ExtINT)"), o);
        assertTrue(o.contains("8259 PIC: master mask 0xff IRR 0x00 ISR 0x00 vector base 0x00, slave mask 0xff IRR 0x00 ISR 0x00 vector base 0x00; INT low"), o);
        assertTrue(o.contains("error: no cpu 5 (this machine has cpu0..cpu1)"), o);
    }
}
