package dev.vmm.core.devices;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import static dev.vmm.core.devices.Ns16550.*;

/** A COM1 UART on a port bus with a scripted line and a recorded interrupt wire, for the UART tests. */
final class UartHarness {
    final ArrayDeque<Integer> input = new ArrayDeque<>();
    final ByteArrayOutputStream output = new ByteArrayOutputStream();
    final List<Boolean> irqEdges = new ArrayList<>();
    boolean irq;
    final PortIoBus bus = new PortIoBus();
    final Uart16550 uart = new Uart16550(COM1_BASE, output::write,
            () -> input.isEmpty() ? -1 : input.poll(),
            level -> { irq = level; irqEdges.add(level); });

    UartHarness() {
        uart.attach(bus);
    }

    int in(int reg) { return bus.in(COM1_BASE + reg, 1); }

    void out(int reg, int value) { bus.out(COM1_BASE + reg, 1, value); }

    void type(String s) {
        for (byte b : s.getBytes(StandardCharsets.US_ASCII)) input.add(b & 0xFF);
    }

    String transmitted() { return output.toString(StandardCharsets.US_ASCII); }

    /** IIR bits 3-0 (reading IIR has a side effect on the THRE latch). */
    int iirId() { return in(IIR) & IIR_ID_MASK; }

    void enableFifos(int trigger) { out(FCR, FCR_FIFO_ENABLE | FCR_RCVR_RESET | FCR_XMIT_RESET | trigger); }
}
