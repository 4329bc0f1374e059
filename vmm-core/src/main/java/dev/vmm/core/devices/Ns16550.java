package dev.vmm.core.devices;

/**
 * The 16550A's register offsets and bits, named as in the National PC16550D datasheet, with FreeBSD's
 * {@code sys/dev/ic/ns16550.h} name alongside so a reader of either finds them.
 *
 * <pre>
 * off  DLAB=0 read   DLAB=0 write   DLAB=1     FreeBSD
 *  0   RBR           THR            DLL        com_data / com_dlbl
 *  1   IER           IER            DLM        com_ier  / com_dlbh
 *  2   IIR           FCR            (IIR/FCR)  com_iir  / com_fifo
 *  3   LCR           LCR                       com_cfcr (com_lcr)
 *  4   MCR           MCR                       com_mcr
 *  5   LSR           (factory test)            com_lsr
 *  6   MSR           (ignored)                 com_msr
 *  7   SCR           SCR                       com_scr
 *
 * IER   7-4: 0   3: EDSSI modem status    2: ELSI line status   1: ETBEI THR empty   0: ERBFI rx data
 * IIR   7-6: 11 when FIFOs enabled   5-4: 0   3-1: interrupt id   0: 1 = no interrupt pending
 *       id (bits 3-0, highest priority first): 0110 line status, 0100 rx data, 1100 char timeout,
 *       0010 THR empty, 0000 modem status, 0001 none
 * FCR   7-6: rx trigger 1/4/8/14   3: DMA mode   2: xmit FIFO reset   1: rcvr FIFO reset   0: FIFO enable
 * LCR   7: DLAB   6: set break   5: stick parity   4: even parity   3: parity enable   2: stop bits
 *       1-0: word length 5/6/7/8
 * MCR   7-5: 0   4: LOOP   3: OUT2 (PC: gates INTR)   2: OUT1   1: RTS   0: DTR
 * LSR   7: error in rcvr FIFO   6: TEMT   5: THRE   4: BI   3: FE   2: PE   1: OE   0: DR
 * MSR   7: DCD   6: RI   5: DSR   4: CTS   3: DDCD   2: TERI   1: DDSR   0: DCTS
 * </pre>
 */
public final class Ns16550 {
    private Ns16550() { }

    /** Ports the UART decodes, and the PC's COM bases and IRQs. */
    public static final int PORT_COUNT = 8;
    public static final int COM1_BASE = 0x3F8, COM2_BASE = 0x2F8, COM3_BASE = 0x3E8, COM4_BASE = 0x2E8;
    public static final int COM1_IRQ = 4, COM2_IRQ = 3;

    /** The input clock is 1.8432 MHz and the baud rate is clock / (16 * divisor). */
    public static final int CLOCK_HZ = 1_843_200;
    /** 9600 baud: what the divisor latch holds after reset here (the datasheet leaves it undefined). */
    public static final int DEFAULT_DIVISOR = 12;
    public static final int FIFO_SIZE = 16;

    // Register offsets from the base port.
    public static final int RBR = 0, THR = 0, DLL = 0;
    public static final int IER = 1, DLM = 1;
    public static final int IIR = 2, FCR = 2;
    public static final int LCR = 3;
    public static final int MCR = 4;
    public static final int LSR = 5;
    public static final int MSR = 6;
    public static final int SCR = 7;

    // IER: FreeBSD IER_ERXRDY, IER_ETXRDY, IER_ERLS, IER_EMSC.
    public static final int IER_ERBFI = 0x01, IER_ETBEI = 0x02, IER_ELSI = 0x04, IER_EDSSI = 0x08;
    public static final int IER_MASK = 0x0F;

    // IIR: FreeBSD IIR_NOPEND, IIR_RLS, IIR_RXRDY, IIR_RXTOUT, IIR_TXRDY, IIR_MLSC, IIR_FIFO_MASK.
    public static final int IIR_NO_INT = 0x01;
    public static final int IIR_RLS = 0x06, IIR_RDA = 0x04, IIR_CTI = 0x0C, IIR_THRE = 0x02, IIR_MS = 0x00;
    public static final int IIR_ID_MASK = 0x0F;
    public static final int IIR_FIFOS_ENABLED = 0xC0;

    // FCR: FreeBSD FIFO_ENABLE, FIFO_RCV_RST, FIFO_XMT_RST, FIFO_DMA_MODE, FIFO_RX_LOW..FIFO_RX_HIGH.
    public static final int FCR_FIFO_ENABLE = 0x01, FCR_RCVR_RESET = 0x02, FCR_XMIT_RESET = 0x04;
    public static final int FCR_DMA_MODE = 0x08;
    public static final int FCR_TRIGGER_MASK = 0xC0;
    public static final int FCR_TRIGGER_1 = 0x00, FCR_TRIGGER_4 = 0x40, FCR_TRIGGER_8 = 0x80,
            FCR_TRIGGER_14 = 0xC0;

    // LCR: FreeBSD CFCR_DLAB, CFCR_SBREAK, CFCR_PENAB, CFCR_STOPB, CFCR_8BITS ...
    public static final int LCR_WLS_MASK = 0x03, LCR_STB = 0x04, LCR_PEN = 0x08, LCR_EPS = 0x10;
    public static final int LCR_STICK = 0x20, LCR_SBRK = 0x40, LCR_DLAB = 0x80;

    // MCR: FreeBSD MCR_DTR, MCR_RTS, MCR_DRS (OUT1), MCR_IE (OUT2), MCR_LOOPBACK.
    public static final int MCR_DTR = 0x01, MCR_RTS = 0x02, MCR_OUT1 = 0x04, MCR_OUT2 = 0x08,
            MCR_LOOP = 0x10;
    public static final int MCR_MASK = 0x1F;

    // LSR: FreeBSD LSR_RXRDY, LSR_OE, LSR_PE, LSR_FE, LSR_BI, LSR_TXRDY, LSR_TSRE, LSR_RCV_FIFO.
    public static final int LSR_DR = 0x01, LSR_OE = 0x02, LSR_PE = 0x04, LSR_FE = 0x08, LSR_BI = 0x10;
    public static final int LSR_THRE = 0x20, LSR_TEMT = 0x40, LSR_RXFIFO_ERR = 0x80;
    /** The error bits a read of LSR clears and that raise the line status interrupt. */
    public static final int LSR_ERRORS = LSR_OE | LSR_PE | LSR_FE | LSR_BI;

    // MSR: FreeBSD MSR_DCTS, MSR_DDSR, MSR_TERI, MSR_DDCD, MSR_CTS, MSR_DSR, MSR_RI, MSR_DCD.
    public static final int MSR_DCTS = 0x01, MSR_DDSR = 0x02, MSR_TERI = 0x04, MSR_DDCD = 0x08;
    public static final int MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_RI = 0x40, MSR_DCD = 0x80;
    public static final int MSR_DELTAS = 0x0F, MSR_INPUTS = 0xF0;

    /** The receive FIFO trigger level FCR bits 7-6 select. */
    public static int triggerLevel(int fcr) {
        return switch (fcr & FCR_TRIGGER_MASK) {
            case FCR_TRIGGER_1 -> 1;
            case FCR_TRIGGER_4 -> 4;
            case FCR_TRIGGER_8 -> 8;
            default -> 14;
        };
    }
}
