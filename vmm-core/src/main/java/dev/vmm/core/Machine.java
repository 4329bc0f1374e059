package dev.vmm.core;

import dev.vmm.core.boot.BootImage;
import dev.vmm.core.boot.BootModule;
import dev.vmm.core.boot.ImageException;
import dev.vmm.core.boot.MultibootLoader;
import dev.vmm.core.devices.BochsShutdownPort;
import dev.vmm.core.devices.DebugExitDevice;
import dev.vmm.core.devices.InputStreamSerialSource;
import dev.vmm.core.devices.Ns16550;
import dev.vmm.core.devices.OutputStreamSerialSink;
import dev.vmm.core.devices.PortIoBus;
import dev.vmm.core.devices.SerialLine;
import dev.vmm.core.devices.SerialSource;
import dev.vmm.core.devices.Uart16550;
import dev.vmm.core.hv.PvMemory;
import dev.vmm.core.sched.DeterministicScheduler;
import dev.vmm.core.sched.ParallelScheduler;
import dev.vmm.core.sched.Scheduler;
import dev.vmm.core.sched.SchedulerHost;
import dev.vmm.core.sched.VirtualClock;
import dev.vmm.cpu.Cpu;
import dev.vmm.cpu.IoPorts;
import dev.vmm.mmu.PhysicalMemory;
import dev.vmm.mmu.TlbChecker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A PC: guest RAM, the port bus with its devices, the vCPUs, and the loop that runs them.
 *
 * <pre>
 *   vCPU --IN/OUT--> PortIoBus --> Uart16550 (COM1..COM4) --> SerialLine: sink / source (stdio, console server)
 *                              --> DebugExitDevice (0xf4) ----+
 *                              --> BochsShutdownPort (0x8900) +--> stop(ExitStatus)
 *   vCPU --loads/stores--> TLB / PageWalker --> PhysicalMemory --code written--> vCPUs' decode caches
 * </pre>
 *
 * <p>A {@link Scheduler} runs the vCPUs ({@code --scheduler deterministic} on one host thread,
 * {@code parallel} on one thread each); between slices it polls the UARTs' input, flushes their sinks,
 * and checks whether a device or another thread asked to stop. {@link PcPlatform} holds the APICs,
 * timers and firmware tables. Port I/O is serialised on the port bus when vCPUs run in parallel.
 *
 * <p>Thread safety: {@link #run} runs on one thread; {@link #stop} may be called from any thread.
 * The monitor's control API ({@link #pause}, {@link #resume}, {@link #step}, {@link #reset},
 * breakpoints) may be called from another thread: {@code pause} parks the run thread at an
 * instruction boundary (between slices), and while it is parked the caller may step and inspect the
 * vCPUs; every hand-over goes through the {@code ctl} lock, which orders the vCPU state between threads.
 */
public final class Machine implements AutoCloseable {
    /** Exit status when a triple fault stops the machine. */
    public static final int EXIT_TRIPLE_FAULT = 3;
    /** Exit status when every vCPU is halted and nothing can wake one. */
    public static final int EXIT_HALTED = 4;
    /** Exit status when {@link #stop} ended the run (like a shell's SIGINT status). */
    public static final int EXIT_STOPPED = 130;

    private final MachineConfig config;
    private final PhysicalMemory mem;
    private final PortIoBus bus = new PortIoBus();
    /** COM1..COM4 bases; their ISA IRQs (4, 3, 4, 3) get wired once there is an interrupt controller. */
    private static final int[] COM_BASES = {Ns16550.COM1_BASE, Ns16550.COM2_BASE, Ns16550.COM3_BASE, Ns16550.COM4_BASE};
    public static final int MAX_SERIAL_PORTS = COM_BASES.length;

    private final List<Uart16550> uarts = new ArrayList<>();
    private final List<SerialLine> lines = new ArrayList<>();
    private final InputStreamSerialSource ownedSource;  // made by the stream constructor, closed by close()
    private final List<Cpu> cpus = new ArrayList<>();
    private final TlbChecker tlbChecker;
    /** pv memory mode (MachineConfig.pv), else null: opt-in because its page pool takes RAM from the guest. */
    private final PvMemory pv;
    private volatile ExitStatus exit;
    private boolean loaded;
    private String imageName;
    private byte[] imageBytes;

    // ---- monitor control; (c) = guarded by ctl ----
    private final Object ctl = new Object();
    private volatile boolean pauseRequested;            // (c) writes
    private boolean parked;                             // (c) the run thread waits in park()
    private final java.util.TreeSet<Long> breakpoints = new java.util.TreeSet<>(); // (c)
    private volatile boolean breakpointsChanged;
    private final List<dev.vmm.cpu.Watchpoints.Watch> watches = new ArrayList<>(); // (c)
    private int nextWatch = 1;
    private dev.vmm.cpu.CpuTrace insnTrace, eventTrace;                          // (c)
    private java.util.function.IntFunction<dev.vmm.mmu.TlbListener> tlbTrace;    // (c)
    private volatile dev.vmm.cpu.Watchpoints.Hit lastWatchHit;
    private volatile java.util.function.Consumer<String> pauseListener = reason -> { };
    private final PcPlatform platform;
    private final Scheduler scheduler;

    /**
     * @param serialOut where COM1's transmitted bytes go ({@code --serial stdio}: System.out)
     * @param serialIn  what feeds COM1's receive FIFO, or null for nothing
     */
    public Machine(MachineConfig config, OutputStream serialOut, InputStream serialIn) {
        this(config, streamLine(serialOut, serialIn), serialIn != null);
    }

    /**
     * A machine with one UART per entry of {@code serialLines}: index 0 is COM1 (0x3F8), then COM2 (0x2F8),
     * COM3 (0x3E8), COM4 (0x2E8). A null entry leaves that port out, except COM1, which is always present
     * (with no cable when the list is empty or its entry is null).
     *
     * @throws IllegalArgumentException for more than {@value #MAX_SERIAL_PORTS} lines
     */
    public Machine(MachineConfig config, List<SerialLine> serialLines) {
        this(config, serialLines, false);
    }

    private Machine(MachineConfig config, List<SerialLine> serialLines, boolean ownsStdioSource) {
        if (serialLines.size() > MAX_SERIAL_PORTS) {
            throw new IllegalArgumentException(serialLines.size() + " serial lines: at most " + MAX_SERIAL_PORTS);
        }
        this.config = config;
        this.mem = new PhysicalMemory(config.memBytes());
        this.ownedSource = ownsStdioSource ? (InputStreamSerialSource) serialLines.get(0).source() : null;
        tlbChecker = config.checkTlb() ? new TlbChecker(mem, config.checkTlbGrace()) : null;
        for (int i = 0; i < Math.max(1, config.smp()); i++) cpus.add(newCpu(i));
        this.platform = new PcPlatform(mem, bus, cpus, config.hostClock(),
            () -> stopWith(new ExitStatus(ExitStatus.Kind.ACPI_SHUTDOWN, 0, null)));
        List<dev.vmm.core.devices.IrqLine> irqs = List.of(platform.isaIrq(4), platform.isaIrq(3), platform.isaIrq(4), platform.isaIrq(3));
        this.scheduler = config.scheduler() == Scheduler.Kind.PARALLEL ? new ParallelScheduler()
            : new DeterministicScheduler(config.seed());
        if (config.scheduler() == Scheduler.Kind.PARALLEL) {
            IoPorts serialised = new IoPorts() { // devices see one vCPU at a time, as their docs require
                @Override public int in(int port, int size) { synchronized (bus) { return bus.in(port, size); } }
                @Override public void out(int port, int size, int value) { synchronized (bus) { bus.out(port, size, value); } }
            };
            for (Cpu c : cpus) c.io = serialised;
        }
        for (int i = 0; i < MAX_SERIAL_PORTS; i++) {
            SerialLine line = i < serialLines.size() ? serialLines.get(i) : null;
            if (line == null && i > 0) continue;
            if (line == null) line = SerialLine.DISCONNECTED;
            Uart16550 uart = new Uart16550(COM_BASES[i], line.sink(), line.source(), irqs.get(i));
            uart.attach(bus);
            uarts.add(uart);
            lines.add(line);
        }
        new DebugExitDevice(DebugExitDevice.DEFAULT_PORT,
            status -> stopWith(new ExitStatus(ExitStatus.Kind.DEBUG_EXIT, status, null))).attach(bus);
        new BochsShutdownPort(BochsShutdownPort.DEFAULT_PORT,
            () -> stopWith(new ExitStatus(ExitStatus.Kind.BOCHS_SHUTDOWN, 0, "vmm: guest wrote \"Shutdown\" to port 0x8900"))).attach(bus);
        mem.setCodeWriteListener(pfn -> { for (Cpu c : cpus) c.codePageWritten(pfn); });
        this.pv = config.pv() ? PvMemory.install(mem, cpus, new dev.vmm.core.hv.CpuTlbPort(cpus, platform.apicBus().apics()), tlbChecker) : null;
    }

    private static List<SerialLine> streamLine(OutputStream serialOut, InputStream serialIn) {
        OutputStreamSerialSink sink = new OutputStreamSerialSink(serialOut == null ? OutputStream.nullOutputStream() : serialOut);
        return List.of(new SerialLine(sink, serialIn == null ? SerialSource.NONE : new InputStreamSerialSource(serialIn)));
    }

    /** Loads a Multiboot image into RAM and sets the boot vCPU up to enter it. */
    public void loadMultiboot(String imageName, byte[] image) throws ImageException {
        List<BootModule> modules = new ArrayList<>();
        for (Path p : config.initrd()) {
            try {
                modules.add(new BootModule(p.toString(), Files.readAllBytes(p)));
            } catch (IOException | RuntimeException e) {
                throw new ImageException(p.toString(), "cannot read module: " + e.getMessage());
            }
        }
        String cmdline = config.cmdline().isEmpty() ? imageName : imageName + " " + config.cmdline();
        BootImage boot = MultibootLoader.load(mem, imageName, image, cmdline, modules,
            pv == null ? Long.MAX_VALUE : PvMemory.poolBase(mem));
        cpus.get(0).enterMultiboot(boot.entry(), MultibootLoader.BOOTLOADER_MAGIC, boot.infoAddr());
        loaded = true;
        this.imageName = imageName;
        this.imageBytes = image;
    }

    /** Runs until the guest stops the machine (debug exit, shutdown, triple fault, halt) or {@link #stop}. */
    public ExitStatus run() {
        if (!loaded) throw new IllegalStateException("no image loaded");
        try {
            // The scheduler returns when the machine stops or the monitor asks for a pause; a paused
            // machine waits in park() and then the scheduler starts again where the vCPUs are.
            while (exit == null) {
                if (pauseRequested) { park(); continue; }
                if (breakpointsChanged) applyBreakpoints();
                scheduler.run(new Host());
            }
        } finally {
            flushSerial();
        }
        return exit;
    }

    /** The machine as its scheduler sees it. */
    private final class Host implements SchedulerHost {
        @Override public List<Cpu> cpus() { return cpus; }
        @Override public dev.vmm.core.apic.ApicBus apicBus() { return platform.apicBus(); }
        @Override public VirtualClock clock() { return platform.clock(); }
        @Override public boolean stopped() { return exit != null || pauseRequested; }
        @Override public void breakpoint(Cpu c) {
            pauseRequested = true;
            dev.vmm.cpu.Watchpoints.Hit h = c.watches() == null ? null : c.watches().takeHit();
            if (h != null) { lastWatchHit = h; pauseListener.accept(h.describe()); return; }
            pauseListener.accept(String.format("cpu%d: breakpoint at %#x", c.apicId(), c.linearRip()));
        }
        @Override public long nextDeviceEvent() {
            return platform.irq0Routed() ? platform.pit().nextEvent() : Long.MAX_VALUE;
        }
        @Override public void updateDevices(long nanos) { platform.pit().update(nanos); }
        @Override public void shutdown(Cpu c) {
            stopWith(new ExitStatus(ExitStatus.Kind.TRIPLE_FAULT, EXIT_TRIPLE_FAULT, "vmm: cpu" + c.apicId() + " " + c.shutdownReason));
        }
        @Override public void allHalted() { haltedStop(); }

        @Override
        public void pollDevices() {
            synchronized (bus) {
                for (Uart16550 uart : uarts) uart.pollInput();
            }
            flushSerial();
        }

        @Override
        public boolean hostInputPossible() {
            for (int i = 0; i < lines.size(); i++) {
                int pin = uarts.get(i).base() == Ns16550.COM1_BASE || uarts.get(i).base() == Ns16550.COM3_BASE ? 4 : 3;
                if (lines.get(i).source() != SerialSource.NONE && !platform.ioapic().masked(pin)) return true;
            }
            return false;
        }
    }

    private void flushSerial() {
        for (SerialLine line : lines) line.sink().flush();
    }

    private void haltedStop() {
        Cpu cpu = cpus.get(0);
        boolean ifSet = (cpu.rflags() & (1 << 9)) != 0;
        // Every vCPU is halted (or waits for a start-up IPI) and no timer or device can wake one.
        String who = cpus.size() == 1 ? "cpu0" : "all " + cpus.size() + " vCPUs halted; cpu0";
        stopWith(new ExitStatus(ExitStatus.Kind.HALTED, EXIT_HALTED, String.format(
            "vmm: %s halted %s at RIP %#x: nothing can wake it, machine stopped",
            who, ifSet ? "waiting for an interrupt" : "with interrupts disabled", cpu.rip)));
    }

    private void stopWith(ExitStatus status) {
        synchronized (cpus) { if (exit == null) exit = status; }
        for (Cpu c : cpus) c.requestStop();
        synchronized (ctl) { ctl.notifyAll(); }
        if (scheduler != null) scheduler.wakeAll();
    }

    // ---- monitor control ----------------------------------------------------------------------

    /** The run thread waits here while paused; the vCPUs are at an instruction boundary. */
    private void park() {
        flushSerial();
        synchronized (ctl) {
            try {
                while (pauseRequested && exit == null) {
                    // (again) parked: also after a resume() that a new pause() overtook before this thread woke
                    if (!parked) { parked = true; ctl.notifyAll(); }
                    ctl.wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop();
            } finally {
                parked = false;
            }
            applyBreakpoints();
        }
    }

    /** Called on the thread about to run the vCPUs, so they see the set without a volatile read per instruction. */
    private void applyBreakpoints() {
        synchronized (ctl) {
            breakpointsChanged = false;
            long[] bps = breakpoints.isEmpty() ? null : breakpoints.stream().mapToLong(Long::longValue).toArray();
            for (Cpu c : cpus) {
                c.breakpoints = bps;
                boolean same = c.watches() == null ? watches.isEmpty() : c.watches().watches().equals(watches);
                if (!same) c.setWatches(watches.isEmpty() ? null : new dev.vmm.cpu.Watchpoints(watches));
                c.insnTrace = insnTrace;
                c.eventTrace = eventTrace;
                c.tlb.setListener(tlbTrace == null ? null : tlbTrace.apply(c.apicId()));
            }
        }
    }

    /**
     * Asks the run thread to stop at the next instruction boundary and returns once it has (or once the
     * machine has ended). Before {@link #run} starts, makes it start paused. Returns whether the machine is paused.
     */
    public boolean pause() throws InterruptedException {
        synchronized (ctl) {
            pauseRequested = true;
            for (Cpu c : cpus) c.requestStop();
            while (!parked && exit == null) ctl.wait();
            return parked;
        }
    }

    /** Makes {@link #run} start paused (QEMU's -S): call before starting the run thread. */
    public void startPaused() { pauseRequested = true; }

    /** Whether the run thread is parked at an instruction boundary. */
    public boolean isPaused() { synchronized (ctl) { return parked; } }

    /** Lets a paused machine run on; a vCPU sitting on a breakpoint passes it. */
    public void resume() {
        synchronized (ctl) {
            for (Cpu c : cpus) c.resumeFrom = c.linearRip();
            pauseRequested = false;
            parked = false;   // from now on the vCPUs may run: no step, and isPaused() says so at once
            ctl.notifyAll();
        }
    }

    /** Who is told (on the run thread) when a breakpoint pauses the machine. */
    public void setPauseListener(java.util.function.Consumer<String> l) { pauseListener = l == null ? r -> { } : l; }

    /**
     * Executes up to {@code n} instructions on vCPU {@code cpu} of a paused machine, on the caller's thread,
     * stopping early at a breakpoint (not the one it starts on), a halt or a shutdown.
     *
     * @return why it stopped ({@link Cpu.Exit#BUDGET} when all n ran)
     * @throws IllegalStateException when the machine is not paused
     */
    public Cpu.Exit step(int cpu, long n) {
        synchronized (ctl) {
            if (!parked) throw new IllegalStateException("the machine is not stopped");
            Cpu c = cpus.get(cpu);
            applyBreakpoints();
            lastWatchHit = null;
            c.resumeFrom = c.linearRip();
            long target = c.instructions + n;
            Cpu.Exit why = Cpu.Exit.BUDGET;
            for (int tries = 0; c.instructions < target && tries < 2 * n + 2; tries++) {
                why = c.run(target - c.instructions);
                if (why != Cpu.Exit.STOP_REQUESTED && why != Cpu.Exit.BUDGET) break;   // a stale stop request: go on
            }
            if (why == Cpu.Exit.BREAKPOINT && c.watches() != null) {
                var h = c.watches().takeHit();
                if (h != null) lastWatchHit = h;
            }
            for (Uart16550 uart : uarts) uart.pollInput();
            flushSerial();
            if (why == Cpu.Exit.SHUTDOWN) {
                stopWith(new ExitStatus(ExitStatus.Kind.TRIPLE_FAULT, EXIT_TRIPLE_FAULT, "vmm: cpu" + cpu + " " + c.shutdownReason));
            }
            return why == Cpu.Exit.STOP_REQUESTED ? Cpu.Exit.BUDGET : why;
        }
    }

    /** Adds a breakpoint at a linear address; returns false if it was already set. */
    public boolean addBreakpoint(long linear) {
        synchronized (ctl) { breakpointsChanged = true; return breakpoints.add(linear); }
    }

    /** Removes one breakpoint (returns whether it existed), or every one with {@code null}. */
    public boolean removeBreakpoint(Long linear) {
        synchronized (ctl) {
            breakpointsChanged = true;
            if (linear == null) { boolean any = !breakpoints.isEmpty(); breakpoints.clear(); return any; }
            return breakpoints.remove(linear);
        }
    }

    public List<Long> breakpoints() { synchronized (ctl) { return List.copyOf(breakpoints); } }

    /** Adds a data watchpoint (see {@link dev.vmm.cpu.Watchpoints}); kinds READ/WRITE bits. Returns it, numbered. */
    public dev.vmm.cpu.Watchpoints.Watch addWatch(long addr, long len, int kinds, boolean physical) {
        synchronized (ctl) {
            var w = new dev.vmm.cpu.Watchpoints.Watch(nextWatch++, addr, len, kinds, physical);
            watches.add(w);
            breakpointsChanged = true;
            return w;
        }
    }

    /** Removes watchpoint {@code number}, or every one with {@code null}; returns how many went. */
    public int removeWatch(Integer number) {
        synchronized (ctl) {
            int n = watches.size();
            if (number == null) watches.clear(); else watches.removeIf(w -> w.number() == number);
            breakpointsChanged = true;
            return n - watches.size();
        }
    }

    public List<dev.vmm.cpu.Watchpoints.Watch> watches() { synchronized (ctl) { return List.copyOf(watches); } }

    /** The last watchpoint hit that paused the machine, or null. */
    public dev.vmm.cpu.Watchpoints.Hit lastWatchHit() { return lastWatchHit; }

    /**
     * The monitor's trace hooks (null: off), applied to every vCPU at the next pause or step (the vCPUs
     * pay nothing for a hook that is null).
     */
    public void setTraces(dev.vmm.cpu.CpuTrace insn, dev.vmm.cpu.CpuTrace events,
                          java.util.function.IntFunction<dev.vmm.mmu.TlbListener> tlb) {
        synchronized (ctl) {
            insnTrace = insn;
            eventTrace = events;
            tlbTrace = tlb;
            breakpointsChanged = true;
        }
    }

    /**
     * Resets a paused machine: RAM cleared, every vCPU INIT-reset, the image loaded again as at boot (devices keep
     * their state, as after a PC's INIT with no reset of the chipset).
     */
    public void reset() throws ImageException {
        synchronized (ctl) {
            if (!parked) throw new IllegalStateException("the machine is not stopped");
            // The VM layer's address spaces live outside the guest's RAM image; a reset cannot rebuild them.
            if (pv != null) throw new ImageException(imageName, "reset is not supported in pv mode");
            for (long[] r : mem.ramRanges()) mem.zero(r[0], r[1] - r[0]);
            // Every vCPU gets INIT (TLB geometry and checker stay) and the chipset and UARTs their power-on
            // state; the BSP is then set up to enter the image again, the APs wait for a start-up IPI.
            for (Cpu c : cpus) {
                c.initReset();
                c.instructions = 0; // a system reset restarts the time base too (INIT alone would not)
                c.tscOffset = 0;
            }
            platform.reset(); // as RESET# does (QEMU's system reset resets every device too)
            for (Uart16550 uart : uarts) uart.reset();
            loadMultiboot(imageName, imageBytes);
            applyBreakpoints();
        }
    }

    /** A vCPU as this machine's configuration wants it (at boot and at reset). */
    private Cpu newCpu(int apicId) {
        Cpu c = new Cpu(apicId, mem, bus, config.tlb());
        if (tlbChecker != null) c.attachChecker(tlbChecker);
        return c;
    }

    /** How the machine ended, or null while it can still run. */
    public ExitStatus exitStatus() { return exit; }

    /** Asks a running machine to stop at the next instruction boundary (from any thread). */
    public void stop() {
        stopWith(new ExitStatus(ExitStatus.Kind.STOPPED, EXIT_STOPPED, "vmm: stopped"));
    }

    /** Instructions retired by all vCPUs so far. */
    public long instructionsExecuted() {
        long n = 0;
        for (Cpu c : cpus) n += c.instructions;
        return n;
    }

    public PhysicalMemory memory() { return mem; }

    /** The TLB checker when {@link MachineConfig#checkTlb()} is on, else null. */
    public TlbChecker tlbChecker() { return tlbChecker; }

    /** The APICs, IOAPIC, timers and firmware tables. */
    public PcPlatform platform() { return platform; }

    /** The vCPUs (a copy: {@link #reset} replaces them). */
    public List<Cpu> cpus() { return List.copyOf(cpus); }

    public PortIoBus ioBus() { return bus; }

    /** The pv memory hypervisor, or null when the machine was not built with pv mode. */
    public PvMemory pvMemory() { return pv; }

    /** The UARTs present, COM1 first, in port order COM1..COM4 (for the monitor's "info serial"). */
    public List<Uart16550> serialPorts() { return List.copyOf(uarts); }

    @Override
    public void close() {
        if (ownedSource != null) ownedSource.close();
        flushSerial();
    }
}
