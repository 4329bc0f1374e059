package dev.vmm.core.devices;

import static dev.vmm.core.devices.Ns16550.*;

/**
 * A National 16550A UART as a pure register state machine: no threads, no I/O, no clock. Register bits
 * and the offset map are in {@link Ns16550}.
 *
 * <pre>
 *  guest OUT THR --> TX FIFO --+--(MCR.LOOP=0)--> SerialSink         (transmission is instantaneous)
 *                              +--(MCR.LOOP=1)--+
 *                                               v
 *  SerialSource --poll()--(MCR.LOOP=0)--> RX FIFO --> guest IN RBR
 *  IER + LSR + RX FIFO + THRE latch + MSR deltas --> IIR (priority) --> IrqLine level
 * </pre>
 *
 * <h2>Time</h2>
 * A real UART shifts bits at the baud rate; this one has no clock. A written byte reaches the sink at
 * once and THR/TEMT read empty again right away, so the guest never waits on the host. Received bytes are
 * pulled from the {@link SerialSource} while the RX FIFO has room: on every LSR and RBR read (so a polling
 * guest sees input without help) and in {@link #pollInput()}, which the machine calls periodically. The
 * character timeout interrupt (IIR 0xC) takes the place of "four character times without a byte in or a
 * read": it is raised by a {@code pollInput()} that finds bytes in the RX FIFO and no receive or read
 * since the previous {@code pollInput()}.
 *
 * <h2>Interrupts</h2>
 * The IrqLine follows "IIR bit 0 is clear": it is driven (on changes only) whenever an enabled source is
 * pending, in the datasheet's priority order: receiver line status (OE/PE/FE/BI, cleared by reading LSR)
 * &gt; received data available (FIFO at trigger level, or DR with FIFOs off; cleared by reading below it)
 * or character timeout (cleared by reading RBR) &gt; THR empty &gt; modem status (cleared by reading MSR).
 * The THR empty interrupt is a latch: set when THR empties (and when IER.ETBEI goes 0 to 1 while THR is
 * empty), cleared by writing THR or by reading IIR while it is the reported source. As in QEMU and
 * Firecracker, MCR.OUT2 does not gate the line (on a PC board it does), so guests written against those
 * work unchanged.
 *
 * <h2>Not modelled</h2>
 * Parity, framing and break errors (nothing on a virtual line produces them), so LSR bit 7 stays 0;
 * DMA mode (FCR bit 3 is stored only); the break condition (LCR.SBRK) in loopback.
 *
 * <h2>Thread safety</h2>
 * None: one thread at a time (the vCPU doing the port access, or the machine's loop calling
 * {@code pollInput}). The machine serialises access when vCPUs run in parallel.
 */
public final class Uart16550 implements PortDevice {

    private final int base;
    private final SerialSink sink;
    private final SerialSource source;
    private final IrqLine irq;

    private final ByteFifo rx = new ByteFifo(FIFO_SIZE);
    private final ByteFifo tx = new ByteFifo(FIFO_SIZE);

    private int divisor;
    private int ier;
    private int fcr;            // FIFO enable, DMA mode and trigger bits; the reset bits self-clear
    private int lcr;
    private int mcr;
    private int lsrErrors;      // the LSR_ERRORS bits latched since the last LSR read
    private int msr;            // inputs in bits 7-4, deltas since the last MSR read in bits 3-0
    private int scr;
    private int externalModemInputs = MSR_DCD | MSR_DSR | MSR_CTS;  // a cable with a peer that is up
    private int lastRbr;        // what RBR reads when the FIFO is empty: the last byte received

    private boolean thrInterruptPending;
    private boolean timeoutPending;
    private boolean rxActivity;      // a byte was received or read since the last pollInput()
    private boolean irqLevel;

    private long transmitted, received, overruns;

    /** A UART at {@code base} with no cable and no interrupt wire. */
    public Uart16550(int base) {
        this(base, SerialSink.DISCARD, SerialSource.NONE, IrqLine.NONE);
    }

    /**
     * @param base   first of its {@link Ns16550#PORT_COUNT} ports (COM1: {@link Ns16550#COM1_BASE})
     * @param sink   where transmitted bytes go ({@link SerialSink#DISCARD} for none)
     * @param source where received bytes come from ({@link SerialSource#NONE} for none)
     * @param irq    the interrupt wire (COM1: IRQ 4; {@link IrqLine#NONE} for none)
     */
    public Uart16550(int base, SerialSink sink, SerialSource source, IrqLine irq) {
        this.base = base;
        this.sink = sink == null ? SerialSink.DISCARD : sink;
        this.source = source == null ? SerialSource.NONE : source;
        this.irq = irq == null ? IrqLine.NONE : irq;
        reset();
    }

    /** Claims this UART's eight ports on {@code bus}. */
    public void attach(PortIoBus bus) {
        bus.register(base, PORT_COUNT, this);
    }

    /** The state after a hardware reset (MR pin): registers cleared, FIFOs empty, line low. */
    public void reset() {
        divisor = DEFAULT_DIVISOR;
        ier = fcr = lcr = mcr = lsrErrors = scr = lastRbr = 0;
        rx.clear();
        tx.clear();
        msr = externalModemInputs;
        thrInterruptPending = timeoutPending = rxActivity = false;
        updateIrq();
    }

    public int base() { return base; }

    // ---- PortDevice: the guest's side ------------------------------------------------------------

    /** Reads {@code size} registers from {@code port} on, as an 8-bit ISA device answers a wide IN. */
    @Override
    public int in(int port, int size) {
        int value = 0;
        for (int i = 0; i < size; i++) {
            int offset = port + i - base;
            int b = offset >= 0 && offset < PORT_COUNT ? readRegister(offset) : 0xFF;
            value |= b << (i << 3);
        }
        return value;
    }

    /** Writes the bytes of {@code value} to consecutive registers from {@code port} on. */
    @Override
    public void out(int port, int size, int value) {
        for (int i = 0; i < size; i++) {
            int offset = port + i - base;
            if (offset >= 0 && offset < PORT_COUNT) writeRegister(offset, (value >>> (i << 3)) & 0xFF);
        }
    }

    private boolean dlab() { return (lcr & LCR_DLAB) != 0; }

    private boolean fifoEnabled() { return (fcr & FCR_FIFO_ENABLE) != 0; }

    private boolean loopback() { return (mcr & MCR_LOOP) != 0; }

    private int readRegister(int offset) {
        return switch (offset) {
            case RBR -> dlab() ? divisor & 0xFF : readRbr();
            case IER -> dlab() ? divisor >>> 8 : ier;
            case IIR -> readIir();
            case LCR -> lcr;
            case MCR -> mcr;
            case LSR -> readLsr();
            case MSR -> readMsr();
            default -> scr;
        };
    }

    private void writeRegister(int offset, int v) {
        switch (offset) {
            case THR -> {
                if (dlab()) divisor = (divisor & 0xFF00) | v;
                else writeThr((byte) v);
            }
            case IER -> {
                if (dlab()) divisor = (divisor & 0x00FF) | (v << 8);
                else writeIer(v);
            }
            case FCR -> writeFcr(v);
            case LCR -> lcr = v;
            case MCR -> writeMcr(v);
            case SCR -> scr = v;
            default -> { }  // LSR and MSR: writes are for factory test only
        }
    }

    private int readRbr() {
        pullFromSource();
        if (!rx.isEmpty()) {
            lastRbr = rx.pop() & 0xFF;
            rxActivity = true;
        }
        timeoutPending = false;
        updateIrq();
        return lastRbr;
    }

    private int readIir() {
        int id = interruptId();
        if (id == IIR_THRE) {
            thrInterruptPending = false;
            updateIrq();
        }
        return id | (fifoEnabled() ? IIR_FIFOS_ENABLED : 0);
    }

    private int readLsr() {
        pullFromSource();
        int v = lineStatus();
        lsrErrors = 0;
        updateIrq();
        return v;
    }

    private int readMsr() {
        int v = msr;
        msr &= MSR_INPUTS;
        updateIrq();
        return v;
    }

    private void writeThr(byte b) {
        thrInterruptPending = false;
        tx.push(b);
        // The shift register takes each byte at once: the FIFO is empty again before the guest looks.
        while (!tx.isEmpty()) {
            byte out = tx.pop();
            transmitted++;
            if (loopback()) receiveByte(out);
            else sink.write(out);
        }
        thrInterruptPending = true;  // THR went empty
        updateIrq();
    }

    private void writeIer(int v) {
        int old = ier;
        ier = v & IER_MASK;
        if ((ier & ~old & IER_ETBEI) != 0 && tx.isEmpty()) thrInterruptPending = true;
        updateIrq();
    }

    private void writeFcr(int v) {
        boolean wasEnabled = fifoEnabled();
        if ((v & FCR_FIFO_ENABLE) == 0) {
            // The other bits are not programmed unless FIFO enable is written as 1.
            fcr = 0;
            if (wasEnabled) clearFifos();
        } else {
            if (!wasEnabled) clearFifos();  // changing FCR0 empties both FIFOs
            if ((v & FCR_RCVR_RESET) != 0) clearRx();
            if ((v & FCR_XMIT_RESET) != 0) tx.clear();
            fcr = v & (FCR_FIFO_ENABLE | FCR_DMA_MODE | FCR_TRIGGER_MASK);
        }
        updateIrq();
    }

    private void writeMcr(int v) {
        mcr = v & MCR_MASK;
        updateModemInputs();
        updateIrq();
    }

    // ---- the line's side -------------------------------------------------------------------------

    /**
     * The machine's periodic tick: pulls waiting input into the RX FIFO, and raises the character
     * timeout if bytes have sat in the FIFO since the previous tick with nothing received or read.
     */
    public void pollInput() {
        pullFromSource();
        if (fifoEnabled() && !rx.isEmpty() && !rxActivity) timeoutPending = true;
        rxActivity = false;
        updateIrq();
    }

    /**
     * A byte arriving on SIN now, bypassing the {@link SerialSource}: for push-style feeds. Unlike the
     * source, this can overrun a full RX FIFO. Ignored in loopback mode, where SIN is disconnected.
     */
    public void receive(byte b) {
        if (loopback()) return;
        receiveByte(b);
        updateIrq();
    }

    /**
     * Sets the modem status inputs (MSR bits 7-4: DCD, RI, DSR, CTS) a peer drives when not in loopback;
     * changes set the delta bits. Reset leaves DCD, DSR and CTS asserted: a cable with a peer that is up.
     */
    public void setModemInputs(int msrInputBits) {
        externalModemInputs = msrInputBits & MSR_INPUTS;
        updateModemInputs();
        updateIrq();
    }

    private void pullFromSource() {
        if (loopback()) return;
        int limit = rxLimit();
        while (rx.count() < limit) {
            int b = source.poll();
            if (b < 0) break;
            receiveByte((byte) b);
        }
    }

    /** The FIFO holds 16 bytes in FIFO mode and acts as the 8250's one-byte RBR without. */
    private int rxLimit() { return fifoEnabled() ? FIFO_SIZE : 1; }

    /** The receiver finishing a character. The caller updates the interrupt line. */
    private void receiveByte(byte b) {
        received++;
        rxActivity = true;
        if (rx.count() < rxLimit()) {
            rx.push(b);
            return;
        }
        // Overrun. FIFO mode: the byte in the shift register is lost, the FIFO is kept. 8250 mode: the
        // new byte overwrites RBR.
        overruns++;
        lsrErrors |= LSR_OE;
        if (!fifoEnabled()) rx.replaceNewest(b);
    }

    private void clearRx() {
        rx.clear();
        timeoutPending = false;
    }

    private void clearFifos() {
        clearRx();
        tx.clear();
    }

    /** In loopback CTS, DSR, RI and DCD follow RTS, DTR, OUT1 and OUT2; otherwise the peer's inputs. */
    private int modemInputs() {
        if (!loopback()) return externalModemInputs;
        int in = 0;
        if ((mcr & MCR_RTS) != 0) in |= MSR_CTS;
        if ((mcr & MCR_DTR) != 0) in |= MSR_DSR;
        if ((mcr & MCR_OUT1) != 0) in |= MSR_RI;
        if ((mcr & MCR_OUT2) != 0) in |= MSR_DCD;
        return in;
    }

    private void updateModemInputs() {
        int now = modemInputs();
        int old = msr & MSR_INPUTS;
        int changed = now ^ old;
        int delta = 0;
        if ((changed & MSR_CTS) != 0) delta |= MSR_DCTS;
        if ((changed & MSR_DSR) != 0) delta |= MSR_DDSR;
        if ((changed & MSR_DCD) != 0) delta |= MSR_DDCD;
        if ((old & ~now & MSR_RI) != 0) delta |= MSR_TERI;  // trailing edge only
        msr = now | (msr & MSR_DELTAS) | delta;
    }

    // ---- interrupts ------------------------------------------------------------------------------

    private int lineStatus() {
        int v = lsrErrors;
        if (!rx.isEmpty()) v |= LSR_DR;
        if (tx.isEmpty()) v |= LSR_THRE | LSR_TEMT;
        return v;
    }

    /** IIR bits 3-0: the highest-priority enabled source pending, or {@link Ns16550#IIR_NO_INT}. */
    private int interruptId() {
        if ((ier & IER_ELSI) != 0 && (lsrErrors & LSR_ERRORS) != 0) return IIR_RLS;
        if ((ier & IER_ERBFI) != 0 && !rx.isEmpty()) {
            if (!fifoEnabled() || rx.count() >= triggerLevel(fcr)) return IIR_RDA;
            if (timeoutPending) return IIR_CTI;
        }
        if ((ier & IER_ETBEI) != 0 && thrInterruptPending) return IIR_THRE;
        if ((ier & IER_EDSSI) != 0 && (msr & MSR_DELTAS) != 0) return IIR_MS;
        return IIR_NO_INT;
    }

    private void updateIrq() {
        boolean level = interruptId() != IIR_NO_INT;
        if (level != irqLevel) {
            irqLevel = level;
            irq.set(level);
        }
    }

    // ---- for the monitor and statistics -----------------------------------------------------------

    /** Whether the interrupt line is asserted now. */
    public boolean irqAsserted() { return irqLevel; }

    /** Bytes the guest has transmitted (including looped-back ones). */
    public long transmittedBytes() { return transmitted; }

    /** Bytes the receiver has taken in (including overrun ones). */
    public long receivedBytes() { return received; }

    /** Bytes lost to overrun. */
    public long overrunCount() { return overruns; }

    /** Register summary without side effects, for the monitor's "info serial". */
    @Override
    public String toString() {
        return String.format("16550A@%#x IER=%02x IIR=%02x LCR=%02x MCR=%02x LSR=%02x MSR=%02x SCR=%02x "
                        + "DL=%d FCR=%02x rx=%d irq=%s",
                base, ier, interruptId() | (fifoEnabled() ? IIR_FIFOS_ENABLED : 0), lcr, mcr, lineStatus(),
                msr, scr, divisor, fcr, rx.count(), irqLevel ? "high" : "low");
    }
}
