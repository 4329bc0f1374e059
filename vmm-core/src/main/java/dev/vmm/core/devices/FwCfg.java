package dev.vmm.core.devices;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * QEMU's firmware configuration interface, legacy I/O flavour (QEMU docs/specs/fw_cfg.rst): a 16-bit
 * selector at 0x510 picks an item and 0x511 reads its bytes one at a time. Items: the signature
 * "QEMU" (0x00), the interface ID (0x01, traditional interface only: no DMA), RAM_SIZE (0x03, 64-bit),
 * NB_CPUS (0x05), MAX_CPUS (0x0F) and an empty file directory (0x19). Reads past an item's end, and of
 * items it does not have, return 0, as QEMU does.
 */
public final class FwCfg implements PortDevice {
    public static final int SELECTOR = 0x510, DATA = 0x511;
    public static final int SIGNATURE = 0x00, ID = 0x01, RAM_SIZE = 0x03, NB_CPUS = 0x05, MAX_CPUS = 0x0F, FILE_DIR = 0x19;

    private final long ramSize;
    private final int cpus;
    private byte[] item = new byte[0];
    private int offset;

    public FwCfg(long ramSize, int cpus) {
        this.ramSize = ramSize;
        this.cpus = cpus;
    }

    public void attach(PortIoBus bus) { bus.register(SELECTOR, 2, this); }

    private byte[] itemFor(int key) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        return switch (key) {
            case SIGNATURE -> "QEMU".getBytes(StandardCharsets.US_ASCII);
            case ID -> b.putInt(0, 1).array().clone();
            case RAM_SIZE -> b.putLong(0, ramSize).array();
            case NB_CPUS, MAX_CPUS -> new byte[] {(byte) cpus, (byte) (cpus >>> 8)};
            case FILE_DIR -> new byte[4]; // big-endian count 0
            default -> new byte[0];
        };
    }

    @Override
    public synchronized int in(int port, int size) {
        if (port != DATA) return 0;
        int v = 0;
        for (int i = 0; i < size; i++) {
            int b = offset < item.length ? item[offset] & 0xFF : 0;
            offset++;
            v |= b << (8 * i);
        }
        return v;
    }

    @Override
    public synchronized void out(int port, int size, int value) {
        if (port == SELECTOR && size >= 2) {
            item = itemFor(value & 0x3FFF);
            offset = 0;
        }
    }
}
