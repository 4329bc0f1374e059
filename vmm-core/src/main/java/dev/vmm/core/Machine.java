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
import dev.vmm.core.devices.SerialSource;
import dev.vmm.core.devices.Uart16550;
import dev.vmm.cpu.Cpu;
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
 *   vCPU --IN/OUT--> PortIoBus --> Uart16550 (COM1) --> sink (stdout) / source (stdin)
 *                              --> DebugExitDevice (0xf4) ----+
 *                              --> BochsShutdownPort (0x8900) +--> stop(ExitStatus)
 *   vCPU --loads/stores--> TLB / PageWalker --> PhysicalMemory --code written--> vCPUs' decode caches
 * </pre>
 *
 * <p>The run loop gives the vCPU slices of {@link #SLICE} instructions; between slices it polls the
 * UART's input and flushes its output, and checks whether a device or another thread asked to stop.
 *
 * <p>Thread safety: {@link #run} runs on one thread; {@link #stop} may be called from any thread.
 */
public final class Machine implements AutoCloseable {
    /** Instructions per slice between device polls: short enough for interactive input, long enough to be cheap. */
    static final long SLICE = 200_000;
    /** Exit status when a triple fault stops the machine. */
    public static final int EXIT_TRIPLE_FAULT = 3;
    /** Exit status when every vCPU is halted and nothing can wake one. */
    public static final int EXIT_HALTED = 4;
    /** Exit status when {@link #stop} ended the run (like a shell's SIGINT status). */
    public static final int EXIT_STOPPED = 130;

    private final MachineConfig config;
    private final PhysicalMemory mem;
    private final PortIoBus bus = new PortIoBus();
    private final Uart16550 com1;
    private final OutputStreamSerialSink serialSink;
    private final InputStreamSerialSource serialSource;
    private final List<Cpu> cpus = new ArrayList<>();
    private final TlbChecker tlbChecker;
    private volatile ExitStatus exit;
    private boolean loaded;

    /**
     * @param serialOut where COM1's transmitted bytes go ({@code --serial stdio}: System.out)
     * @param serialIn  what feeds COM1's receive FIFO, or null for nothing
     */
    public Machine(MachineConfig config, OutputStream serialOut, InputStream serialIn) {
        this.config = config;
        this.mem = new PhysicalMemory(config.memBytes());
        this.serialSink = new OutputStreamSerialSink(serialOut == null ? OutputStream.nullOutputStream() : serialOut);
        this.serialSource = serialIn == null ? null : new InputStreamSerialSource(serialIn);
        this.com1 = new Uart16550(Ns16550.COM1_BASE, serialSink, serialSource == null ? SerialSource.NONE : serialSource, null);
        com1.attach(bus);
        new DebugExitDevice(DebugExitDevice.DEFAULT_PORT,
            status -> stopWith(new ExitStatus(ExitStatus.Kind.DEBUG_EXIT, status, null))).attach(bus);
        new BochsShutdownPort(BochsShutdownPort.DEFAULT_PORT,
            () -> stopWith(new ExitStatus(ExitStatus.Kind.BOCHS_SHUTDOWN, 0, "vmm: guest wrote \"Shutdown\" to port 0x8900"))).attach(bus);
        for (int i = 0; i < Math.max(1, config.smp()); i++) cpus.add(new Cpu(i, mem, bus, config.tlb()));
        tlbChecker = config.checkTlb() ? new TlbChecker(mem, config.checkTlbGrace()) : null;
        if (tlbChecker != null) for (Cpu c : cpus) c.attachChecker(tlbChecker);
        mem.setCodeWriteListener(pfn -> { for (Cpu c : cpus) c.codePageWritten(pfn); });
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
        BootImage boot = MultibootLoader.load(mem, imageName, image, cmdline, modules);
        cpus.get(0).enterMultiboot(boot.entry(), MultibootLoader.BOOTLOADER_MAGIC, boot.infoAddr());
        loaded = true;
    }

    /** Runs until the guest stops the machine (debug exit, shutdown, triple fault, halt) or {@link #stop}. */
    public ExitStatus run() {
        if (!loaded) throw new IllegalStateException("no image loaded");
        Cpu bsp = cpus.get(0);
        try {
            while (exit == null) {
                Cpu.Exit why = bsp.run(SLICE);
                com1.pollInput();
                switch (why) {
                    case SHUTDOWN -> stopWith(new ExitStatus(ExitStatus.Kind.TRIPLE_FAULT, EXIT_TRIPLE_FAULT,
                        "vmm: cpu0 " + bsp.shutdownReason));
                    case HALTED -> haltedStop(bsp);
                    default -> { }
                }
            }
        } finally {
            serialSink.flush();
        }
        return exit;
    }

    private void haltedStop(Cpu cpu) {
        boolean ifSet = (cpu.rflags() & (1 << 9)) != 0;
        // With no interrupt controller yet, a halted vCPU can never be woken: stop instead of spinning.
        stopWith(new ExitStatus(ExitStatus.Kind.HALTED, EXIT_HALTED, String.format(
            "vmm: cpu0 halted %s at RIP %#x: nothing can wake it, machine stopped",
            ifSet ? "waiting for an interrupt" : "with interrupts disabled", cpu.rip)));
    }

    private void stopWith(ExitStatus status) {
        if (exit == null) exit = status;
        for (Cpu c : cpus) c.requestStop();
    }

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

    public List<Cpu> cpus() { return List.copyOf(cpus); }

    public PortIoBus ioBus() { return bus; }

    @Override
    public void close() {
        if (serialSource != null) serialSource.close();
        serialSink.flush();
    }
}
