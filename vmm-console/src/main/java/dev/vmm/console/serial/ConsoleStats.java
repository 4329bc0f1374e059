package dev.vmm.console.serial;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one console port, declared once here and shown by {@code vmm run --stats} and the
 * monitor's {@code info console}.
 *
 * <pre>
 *   connections     clients accepted
 *   clients         clients connected now
 *   disconnections  clients gone, for any reason (includes slowDrops and errors)
 *   slowDrops       clients disconnected because their queue overflowed (too slow to keep up)
 *   errors          clients closed after an I/O error (a reset, a protocol error)
 *   bytesIn         bytes clients sent that went to the guest (after telnet decoding)
 *   guestOut        bytes the guest transmitted on this port
 *   bytesOut        bytes handed to clients' sockets (scrollback included; each client counted)
 *   inputPauses     times a client's reading was paused because the guest's input queue was full
 *   telnetCommands  telnet commands received (negotiation, subnegotiation, NOP, AYT, ...)
 * </pre>
 *
 * <p>Thread safety: every counter is updated from the vCPU thread and the event loops concurrently;
 * a {@link #toString() summary} is a set of individually consistent values, not one snapshot.
 */
public final class ConsoleStats {
    final LongAdder connections = new LongAdder();
    final AtomicLong clients = new AtomicLong();
    final LongAdder disconnections = new LongAdder();
    final LongAdder slowDrops = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder guestOut = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    final LongAdder inputPauses = new LongAdder();
    final LongAdder telnetCommands = new LongAdder();

    public long connections() { return connections.sum(); }

    public long clients() { return clients.get(); }

    public long disconnections() { return disconnections.sum(); }

    public long slowDrops() { return slowDrops.sum(); }

    public long errors() { return errors.sum(); }

    public long bytesIn() { return bytesIn.sum(); }

    public long guestOut() { return guestOut.sum(); }

    public long bytesOut() { return bytesOut.sum(); }

    public long inputPauses() { return inputPauses.sum(); }

    public long telnetCommands() { return telnetCommands.sum(); }

    /** One line: {@code connections=3 clients=1 disconnections=2 slow-drops=1 ...}. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT,
                "connections=%d clients=%d disconnections=%d slow-drops=%d errors=%d bytes-in=%d guest-out=%d "
                        + "bytes-out=%d input-pauses=%d telnet-commands=%d",
                connections(), clients(), disconnections(), slowDrops(), errors(), bytesIn(), guestOut(),
                bytesOut(), inputPauses(), telnetCommands());
    }
}
