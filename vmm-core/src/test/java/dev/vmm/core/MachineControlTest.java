package dev.vmm.core;

import dev.vmm.cpu.Cpu;
import dev.vmm.images.ImageCatalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The monitor's control API on the hello kernel: start paused, step, breakpoints, resume, reset, stop. */
class MachineControlTest {
    /** hello.S: entry32 (Multiboot entry) and long_entry, the far jump's 64-bit target. */
    static final long ENTRY32 = 0x10000c, LONG_ENTRY = 0x1000b0;

    private final ByteArrayOutputStream serial = new ByteArrayOutputStream();
    private final BlockingQueue<String> pauses = new LinkedBlockingQueue<>();
    private Machine vm;
    private CompletableFuture<ExitStatus> running;

    private void boot() throws Exception {
        vm = new Machine(new MachineConfig(64L << 20, "", List.of(), 1), serial, null);
        vm.loadMultiboot("hello", ImageCatalog.find("hello").orElseThrow());
        vm.setPauseListener(pauses::add);
        vm.startPaused();
        running = CompletableFuture.supplyAsync(vm::run);
        assertTrue(vm.pause(), "paused before the first instruction");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (vm != null) { vm.stop(); running.get(10, TimeUnit.SECONDS); vm.close(); }
    }

    @Test
    void startsPausedAtTheEntryAndStepsOneInstructionAtATime() throws Exception {
        boot();
        Cpu c = vm.cpus().get(0);
        assertEquals(ENTRY32, c.rip);
        assertEquals(0, c.instructions);
        assertEquals(Cpu.Exit.BUDGET, vm.step(0, 1));
        assertEquals(1, c.instructions);
        assertEquals(ENTRY32 + 1, c.rip, "cli is one byte");
        assertEquals(Cpu.Exit.BUDGET, vm.step(0, 2));   // cld; mov [boot_magic],eax
        assertEquals(3, c.instructions);
        assertEquals(0x2BADB002L, vm.memory().read32(0x100308), "the step really executed the store");
        assertTrue(vm.isPaused());
        assertNull(vm.exitStatus());
    }

    @Test
    void breakpointStopsBeforeTheInstructionAndResumePassesIt() throws Exception {
        boot();
        assertTrue(vm.addBreakpoint(LONG_ENTRY));
        assertFalse(vm.addBreakpoint(LONG_ENTRY), "already set");
        vm.resume();
        assertEquals("cpu0: breakpoint at 0x1000b0", pauses.poll(10, TimeUnit.SECONDS));
        assertTrue(vm.pause());
        Cpu c = vm.cpus().get(0);
        assertEquals(LONG_ENTRY, c.rip);
        assertEquals(64, c.codeMode, "the far jump into long mode ran, the breakpoint's instruction did not");
        long before = c.instructions;
        assertEquals(Cpu.Exit.BUDGET, vm.step(0, 1), "stepping off a breakpoint passes it");
        assertEquals(before + 1, c.instructions);
        assertTrue(vm.removeBreakpoint(LONG_ENTRY));
        vm.resume();
        ExitStatus st = running.get(10, TimeUnit.SECONDS);
        assertEquals(ExitStatus.Kind.DEBUG_EXIT, st.kind());
        assertTrue(serial.toString(StandardCharsets.US_ASCII).contains("mmap"), serial.toString());
    }

    @Test
    void breakpointHitAgainAfterReset() throws Exception {
        boot();
        vm.addBreakpoint(LONG_ENTRY);
        vm.resume();
        assertNotNull(pauses.poll(10, TimeUnit.SECONDS));
        vm.pause();
        vm.reset();
        Cpu c = vm.cpus().get(0);
        assertEquals(ENTRY32, c.rip);
        assertEquals(0, c.instructions);
        assertEquals(0, vm.memory().read32(0x100308), "RAM was cleared and the image reloaded (boot_magic is .data)");
        vm.resume();
        assertNotNull(pauses.poll(10, TimeUnit.SECONDS), "the reset machine reaches the breakpoint again");
    }

    @Test
    void stopEndsAPausedMachine() throws Exception {
        boot();
        vm.stop();
        assertEquals(ExitStatus.Kind.STOPPED, running.get(10, TimeUnit.SECONDS).kind());
        assertThrows(IllegalStateException.class, () -> vm.step(0, 1));
    }

    @Test
    void resetPutsTheChipsetBackInItsPowerOnState() throws Exception {
        boot();
        var bus = vm.ioBus();
        var p = vm.platform();
        // what a kernel leaves behind: the 8259s initialised and unmasked, the PIT counting, an IOAPIC
        // pin unmasked, the BSP's APIC software-enabled with LINT0 masked
        bus.out(0x20, 1, 0x11); bus.out(0x21, 1, 0x20); bus.out(0x21, 1, 0x04); bus.out(0x21, 1, 0x01);
        bus.out(0x21, 1, 0x00);
        bus.out(0x43, 1, 0x34); bus.out(0x40, 1, 0x00); bus.out(0x40, 1, 0x10);
        vm.memory().write32(dev.vmm.core.apic.IoApic.DEFAULT_BASE, 0x10 + 2 * 2);
        vm.memory().write32(dev.vmm.core.apic.IoApic.DEFAULT_BASE + 0x10, 0x30);
        var bsp = p.apics().getFirst();
        bsp.writeRegister(0xF0, 0x1FF);
        bsp.writeRegister(0x350, 0x10700);
        assertEquals(0x00, p.pic().masterMask());
        assertFalse(p.ioapic().masked(2));
        assertNotEquals(Long.MAX_VALUE, p.pit().nextEvent());
        vm.reset();
        assertEquals(0xFF, p.pic().masterMask(), "8259s: every line masked");
        assertEquals(0, p.pic().masterVectorBase());
        assertTrue(p.ioapic().masked(2), "IOAPIC: every pin masked");
        assertEquals(Long.MAX_VALUE, p.pit().nextEvent(), "PIT: not counting");
        assertEquals(0xFF, bsp.readRegister(0xF0), "APIC: SVR 0xFF");
        assertEquals(0x700, bsp.readRegister(0x350), "the BSP's LINT0 the virtual wire again");
        assertTrue(p.apics().get(0).hardwareEnabled());
    }
}
