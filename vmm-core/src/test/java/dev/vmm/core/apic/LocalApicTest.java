package dev.vmm.core.apic;

import dev.vmm.cpu.Cpu;
import dev.vmm.cpu.CpuFault;
import dev.vmm.cpu.IoPorts;
import dev.vmm.mmu.PhysicalMemory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The local APIC against the rules of SDM vol. 3 chapter 11: priority classes, TPR/PPR, EOI order,
 * destination matching, the timer's modes, IA32_APIC_BASE transitions and the x2APIC register view.
 */
class LocalApicTest {
    static final IoPorts NO_PORTS = new IoPorts() {
        @Override public int in(int port, int size) { return -1; }
        @Override public void out(int port, int size, int value) { }
    };

    PhysicalMemory mem;
    ApicBus bus;
    Cpu[] cpus;
    LocalApic[] apics;
    long now;

    @BeforeEach
    void machine() {
        mem = new PhysicalMemory(2 << 20);
        bus = new ApicBus(mem);
        cpus = new Cpu[4];
        apics = new LocalApic[4];
        for (int i = 0; i < 4; i++) {
            cpus[i] = new Cpu(i, mem, NO_PORTS);
            apics[i] = bus.attach(cpus[i], () -> now);
            apics[i].writeRegister(0xF0, 0x1FF); // software enable
        }
    }

    @Test
    void higherPriorityClassIsTakenFirstAndEoiRetiresInOrder() {
        LocalApic a = apics[0];
        a.accept(0x31, false);
        a.accept(0x52, false);
        assertTrue(a.pending());
        assertEquals(0x52, a.acknowledge());
        assertEquals(0x50, a.ppr(), "PPR = in-service class");
        assertFalse(a.pending(), "0x31 is of a lower class than the one in service");
        a.accept(0x55, false);
        assertFalse(a.pending(), "same class as in service: held");
        a.writeRegister(0xB0, 0); // EOI retires 0x52
        assertEquals(0x55, a.acknowledge());
        a.writeRegister(0xB0, 0);
        assertEquals(0x31, a.acknowledge());
    }

    @Test
    void taskPriorityMasksClassesAtOrBelowIt() {
        LocalApic a = apics[0];
        a.writeRegister(0x80, 0x40);
        a.accept(0x45, false);
        assertFalse(a.pending());
        a.accept(0x51, false);
        assertTrue(a.pending());
        a.writeRegister(0x80, 0x60);
        assertFalse(a.pending());
        assertEquals(0xFF, a.acknowledge(), "nothing deliverable at INTA: the spurious vector");
    }

    @Test
    void illegalVectorSetsTheErrorStatus() {
        LocalApic a = apics[0];
        a.accept(3, false);
        assertFalse(a.pending());
        a.writeRegister(0x280, 0); // a write latches the pending errors into ESR
        assertEquals(1 << 6, a.readRegister(0x280));
    }

    @Test
    void physicalLogicalFlatClusterAndShorthands() {
        // flat model: logical IDs 1, 2, 4, 8
        for (int i = 0; i < 4; i++) apics[i].writeRegister(0xD0, (1 << i) << 24);
        bus.sendIpi(apics[0], ApicBus.FIXED, 0x40, true, 0b0110, 0, false);
        assertFalse(apics[0].pending());
        assertTrue(apics[1].pending());
        assertTrue(apics[2].pending());
        assertFalse(apics[3].pending());
        // cluster model: cluster 1 holds CPUs 2 and 3
        for (int i = 0; i < 4; i++) {
            apics[i].writeRegister(0xE0, 0x0FFF_FFFF);
            apics[i].writeRegister(0xD0, (i < 2 ? 0x00 : 0x10 | (1 << (i - 2))) << 24);
        }
        assertTrue(apics[3].matches(true, 0x12, false));
        assertFalse(apics[2].matches(true, 0x12, false));
        assertFalse(apics[1].matches(true, 0x12, false));
        // all excluding self
        machine();
        bus.sendIpi(apics[2], ApicBus.FIXED, 0x41, false, 0, 3, false);
        assertTrue(apics[0].pending() && apics[1].pending() && apics[3].pending());
        assertFalse(apics[2].pending());
    }

    @Test
    void lowestPriorityPicksTheLowestTaskPriority() {
        apics[0].writeRegister(0x80, 0x30);
        apics[1].writeRegister(0x80, 0x10);
        apics[2].writeRegister(0x80, 0x20);
        apics[3].writeRegister(0x80, 0x40);
        bus.sendMessage(ApicBus.LOWEST, 0x60, false, 0xFF, false);
        assertTrue(apics[1].pending());
        assertFalse(apics[0].pending() || apics[2].pending() || apics[3].pending());
    }

    @Test
    void oneShotPeriodicAndTscDeadlineTimers() {
        LocalApic a = apics[0];
        now = 1000;
        a.writeRegister(0x3E0, 0x1); // divide by 4
        a.writeRegister(0x320, 0x40); // one-shot, vector 0x40
        a.writeRegister(0x380, 100);
        assertEquals(1400, a.nextTimerEvent());
        now = 1200;
        assertEquals(50, a.readRegister(0x390), "current count = remaining ticks / divisor");
        now = 1400;
        a.updateTimer(now);
        assertEquals(0x40, a.acknowledge());
        assertEquals(Long.MAX_VALUE, a.nextTimerEvent(), "one-shot: stops");
        assertEquals(0, a.readRegister(0x390));
        a.writeRegister(0xB0, 0);
        a.writeRegister(0x320, 0x2_0041); // periodic
        a.writeRegister(0x380, 10);
        now = 1440;
        a.updateTimer(now);
        assertEquals(1480, a.nextTimerEvent(), "periodic: re-armed one period on");
        a.writeRegister(0x320, 0x4_0042); // TSC-deadline: the count register is ignored
        assertEquals(Long.MAX_VALUE, a.nextTimerEvent());
        a.wrmsr(0x6E0, 5000);
        assertEquals(5000, a.rdmsr(0x6E0));
        assertEquals(5000, a.nextTimerEvent());
        a.updateTimer(5000);
        assertEquals(0, a.rdmsr(0x6E0), "fired: the MSR reads 0");
        assertTrue(a.timerInterrupts() >= 3);
    }

    @Test
    void apicBaseDisableResetsAndX2apicDerivesLdr() {
        LocalApic a = apics[3];
        a.writeRegister(0x20, 0x0700_0000);
        assertEquals(7, a.id());
        a.wrmsr(0x1B, 0xFEE0_0000L); // EN=0: disabled, power-on state
        assertFalse(a.hardwareEnabled());
        assertThrows(CpuFault.class, () -> a.wrmsr(0x1B, 0xFEE0_0000L | (1 << 10)), "EXTD without EN");
        a.wrmsr(0x1B, 0xFEE0_0000L | (1 << 11));
        assertEquals(3, a.id(), "initial APIC ID again");
        assertThrows(CpuFault.class, () -> a.rdmsr(0x802), "x2APIC MSRs #GP in xAPIC mode");
        a.wrmsr(0x1B, 0xFEE0_0000L | (1 << 11) | (1 << 10));
        assertEquals(3, a.rdmsr(0x802));
        assertEquals((0L << 16) | (1 << 3), a.rdmsr(0x80D), "LDR = cluster (ID >> 4) << 16 | 1 << (ID & 15)");
        assertThrows(CpuFault.class, () -> a.wrmsr(0x80D, 0), "LDR is read-only in x2APIC mode");
        assertThrows(CpuFault.class, () -> a.wrmsr(0x1B, 0xFEE0_0000L | (1 << 11)), "x2APIC -> xAPIC directly");
        assertEquals(-1, a.mmioRead(0x20, 4), "the xAPIC page is not decoded in x2APIC mode");
        assertEquals(0, a.rdmsr(0x1B) & (1 << 8), "not the BSP");
        assertNotEquals(0, apics[0].rdmsr(0x1B) & (1 << 8), "the BSP flag");
    }

    @Test
    void initAndStartupPutAnApInRealModeAtTheVector() {
        LocalApic ap = apics[1];
        assertTrue(ap.waitingForSipi(), "APs wait for a SIPI at power-on");
        bus.sendIpi(apics[0], ApicBus.STARTUP, 0x9A, false, 1, 0, false);
        ap.serviceEvents();
        assertFalse(ap.waitingForSipi());
        assertEquals(0x9A00, cpus[1].segSel[1]);
        assertEquals(0x9A000, cpus[1].segBase[1]);
        assertEquals(0, cpus[1].rip);
        assertEquals(16, cpus[1].codeMode);
        // a second SIPI, once running, is ignored; INIT sends it back to wait-for-SIPI
        bus.sendIpi(apics[0], ApicBus.STARTUP, 0x10, false, 1, 0, false);
        ap.serviceEvents();
        assertEquals(0x9A00, cpus[1].segSel[1]);
        bus.sendIpi(apics[0], ApicBus.INIT, 0, false, 1, 0, false);
        ap.serviceEvents();
        assertTrue(ap.waitingForSipi());
    }

    @Test
    void nmiIsBlockedUntilIretWithOneLatched() {
        Cpu c = cpus[0];
        LocalApic a = apics[0];
        mem.write32(2 * 4, 0x1234_5678); // IVT[2] = 1234:5678 (real mode)
        mem.write8(0x12340 + 0x5678, 0xCF); // the handler: IRET
        c.r[4] = 0x8000;
        bus.sendIpi(apics[1], ApicBus.NMI, 0, false, 0, 0, false);
        a.serviceEvents();
        assertEquals(0x1234, c.segSel[1]);
        assertEquals(0x5678, c.rip);
        bus.sendIpi(apics[1], ApicBus.NMI, 0, false, 0, 0, false);
        bus.sendIpi(apics[1], ApicBus.NMI, 0, false, 0, 0, false);
        a.serviceEvents();
        assertTrue(a.eventsPending(), "blocked: latched");
        assertEquals(0x5678, c.rip);
        long before = c.instructions; // (the posts asked the vCPU to stop: run until one instruction retires)
        while (c.instructions == before) c.run(1); // IRET unblocks
        assertEquals(0, c.segSel[1]);
        a.serviceEvents();
        assertEquals(0x5678, c.rip, "the latched NMI is delivered after IRET");
        assertFalse(a.eventsPending(), "only one NMI was latched");
    }

    @Test
    void relocatedApicAnswersAtItsNewBaseOnly() {
        bus.setCurrent(apics[1]);
        apics[1].wrmsr(0x1B, 0xFED0_0000L | (1 << 11));
        assertEquals(1L << 24, mem.read32(0xFED0_0020L) & 0xFFFF_FFFFL);
        assertEquals(0xFFFF_FFFFL, mem.read32(ApicBus.DEFAULT_BASE + 0x20) & 0xFFFF_FFFFL, "the old page no longer decodes");
        bus.setCurrent(apics[2]);
        assertEquals(2L << 24, mem.read32(ApicBus.DEFAULT_BASE + 0x20) & 0xFFFF_FFFFL, "the others stay put");
        bus.setCurrent(null);
    }

    @Test
    void cpuidLeaves1And0xBReportTheInitialApicIdAndTopology() {
        Cpu c = cpus[3];
        c.packageCpus = 4;
        mem.write16(0, 0xA20F); // CPUID at 0:0 (real mode, CS base 0)
        c.r[0] = 0xB;
        c.r[1] = 1;
        c.run(1);
        assertEquals(3, c.r[2], "EDX = x2APIC ID");
        assertEquals(4, c.r[3] & 0xFFFF, "EBX = logical processors at the core level");
        assertEquals(2, c.r[0] & 0x1F, "EAX = bits to shift the ID right to reach the package ID");
        c.rip = 0;
        c.r[0] = 1;
        c.run(1);
        assertEquals(3, c.r[3] >>> 24, "leaf 1 EBX[31:24] = initial APIC ID");
        assertNotEquals(0, c.r[2] & (1 << 9), "leaf 1 EDX.APIC");
        assertNotEquals(0, c.r[1] & (1 << 21), "leaf 1 ECX.x2APIC");
        assertNotEquals(0, c.r[1] & (1 << 24), "leaf 1 ECX.TSC-deadline");
    }

    @Test
    void registerPageReachesTheApicOfTheCurrentVcpu() {
        bus.setCurrent(apics[2]);
        assertEquals(2L << 24, mem.read32(ApicBus.DEFAULT_BASE + 0x20) & 0xFFFF_FFFFL);
        bus.setCurrent(apics[1]);
        assertEquals(1L << 24, mem.read32(ApicBus.DEFAULT_BASE + 0x20) & 0xFFFF_FFFFL);
        bus.setCurrent(null);
    }

    /** An 8259 stand-in on LINT0: one request with a fixed vector. */
    static final class FakePic implements ExtIntSource {
        boolean intr;
        int vector = 0x20, intas;
        @Override public boolean intr() { return intr; }
        @Override public int inta() { intas++; intr = false; return vector; }
    }

    @Test
    void theBspsLint0IsAVirtualWireForThe8259s() {
        FakePic pic = new FakePic();
        for (LocalApic a : apics) a.connectLint0(pic);
        assertEquals(0x700, apics[0].readRegister(0x350), "BSP: ExtINT, unmasked, as the BIOS leaves it");
        assertEquals(0x10000, apics[1].readRegister(0x350), "AP: masked");
        pic.intr = true;
        for (LocalApic a : apics) a.lint0Changed();
        assertTrue(apics[0].pending());
        assertFalse(apics[1].pending());
        apics[0].accept(0x41, false);
        assertEquals(0x41, apics[0].acknowledge(), "an APIC interrupt first (as QEMU)");
        assertTrue(apics[0].pending(), "the 8259 request still waits");
        assertEquals(0x20, apics[0].acknowledge(), "INTA goes to the 8259s, past the APIC's priority");
        assertEquals(1, pic.intas);
        for (LocalApic a : apics) a.lint0Changed();
        assertFalse(apics[0].pending());
        assertEquals(1 << 1, apics[0].readRegister(0x120) & (1 << 1), "0x41 in service: INTA to the 8259s left the APIC's ISR alone");
    }

    @Test
    void lint0MaskedOrInFixedModeKeepsThe8259sOutAndADisabledApicLetsThemIn() {
        FakePic pic = new FakePic();
        LocalApic a = apics[0];
        a.connectLint0(pic);
        pic.intr = true;
        a.lint0Changed();
        assertTrue(a.pending());
        a.writeRegister(0x350, 0x10700); // masked
        assertFalse(a.pending());
        a.writeRegister(0x350, 0x00030); // fixed mode, vector 0x30: not a wire for the 8259s
        assertFalse(a.pending());
        a.wrmsr(dev.vmm.cpu.Msrs.APIC_BASE, ApicBus.DEFAULT_BASE | LocalApic.BASE_BSP); // globally disabled
        assertTrue(a.pending(), "without an APIC the processor sees INTR directly");
        assertEquals(0x20, a.acknowledge());
        a.wrmsr(dev.vmm.cpu.Msrs.APIC_BASE, ApicBus.DEFAULT_BASE | LocalApic.BASE_BSP | LocalApic.BASE_EN);
        pic.intr = true;
        a.lint0Changed();
        assertFalse(a.pending(), "re-enabled: the power-on state, LINT0 masked");
    }

    @Test
    void aStaleIntLevelCannotOverwriteANewerOne() throws Exception {
        // thread A reads INT asserted and is held before it applies it; meanwhile INT goes low and
        // thread B tells the APIC. B must not finish first (then A's stale "asserted" would be applied
        // last): reading and applying happen under the 8259s' monitor
        java.util.concurrent.CountDownLatch aRead = new java.util.concurrent.CountDownLatch(1), release = new java.util.concurrent.CountDownLatch(1);
        ExtIntSource pic = new ExtIntSource() {
            volatile boolean level = true;
            @Override public boolean intr() {
                boolean v = level;
                if (Thread.currentThread().getName().equals("A")) {
                    level = false; // INT drops right after A looked
                    aRead.countDown();
                    try { release.await(); } catch (InterruptedException e) { throw new RuntimeException(e); }
                }
                return v;
            }
            @Override public int inta() { return 0x27; }
        };
        LocalApic a = apics[0];
        Thread ta = new Thread(() -> a.connectLint0(pic), "A");
        ta.start();
        aRead.await();
        Thread tb = new Thread(a::lint0Changed, "B");
        tb.start();
        tb.join(200); // B waits for A's monitor (or, without it, finishes now)
        release.countDown();
        ta.join();
        tb.join();
        assertFalse(a.pending(), "INT is low: the last level applied must be B's");
    }
}
