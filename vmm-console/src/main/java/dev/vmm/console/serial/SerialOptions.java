package dev.vmm.console.serial;

import dev.vmm.core.Machine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code --serial} and {@code --scrollback} options of {@code vmm run}: which host side each COM
 * port gets. The n-th {@code --serial} is COM n (COM1 0x3F8, COM2 0x2F8, COM3 0x3E8, COM4 0x2E8); with
 * none, COM1 is {@code stdio}. Each value is checked by {@link SerialSpec.Converter}; the combination
 * (at most four, one stdio, distinct ports) by {@link #open}, both as usage errors.
 */
public final class SerialOptions {
    public static final int MAX_SCROLLBACK = 64 << 20;

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--serial", paramLabel = "SPEC", converter = SerialSpec.Converter.class,
            description = {"COM1..COM4 in order (repeat the option): stdio (default for COM1), none, or "
                    + "tcp:[HOST]:PORT[,wait][,telnet|raw] - a console server (host 127.0.0.1 unless given; "
                    + "port 0 picks one; telnet is the default mode; wait holds the guest until a client connects)."})
    List<SerialSpec> specs = new ArrayList<>();

    @Option(names = "--scrollback", paramLabel = "SIZE", defaultValue = "64K", converter = ByteSize.class,
            description = "Guest output a console client gets when it connects: bytes or K/M (default: ${DEFAULT-VALUE}).")
    int scrollbackBytes = ConsoleServer.Settings.DEFAULT_SCROLLBACK;

    /** The specs in COM order; {@code [stdio]} when none was given. */
    public List<SerialSpec> specs() {
        return specs.isEmpty() ? List.of(SerialSpec.STDIO) : List.copyOf(specs);
    }

    public int scrollbackBytes() { return scrollbackBytes; }

    /**
     * Checks the combination, starts the console server if a port asks for one and prints where each
     * server listens (and a warning for an address other hosts can reach) on {@code err}.
     *
     * @throws ParameterException for a combination that cannot work, or a port that cannot be bound
     */
    public SerialBackends open(InputStream stdin, OutputStream stdout, PrintWriter err) {
        List<SerialSpec> list = specs();
        if (list.size() > Machine.MAX_SERIAL_PORTS) {
            throw usage("--serial given " + list.size() + " times: the machine has " + Machine.MAX_SERIAL_PORTS
                    + " COM ports");
        }
        if (list.stream().filter(s -> s.kind() == SerialSpec.Kind.STDIO).count() > 1) {
            throw usage("--serial stdio given twice: only one COM port can have the terminal");
        }
        Set<String> seen = new HashSet<>();
        for (SerialSpec s : list) {
            if (s.kind() == SerialSpec.Kind.TCP && s.port() != 0 && !seen.add(s.host() + " " + s.port())) {
                throw usage("--serial " + s + ": port " + s.port() + " is used by two COM ports");
            }
        }
        try {
            return SerialBackends.open(list, ConsoleServer.Settings.defaults().withScrollback(scrollbackBytes),
                    stdin, stdout, err);
        } catch (ConsoleException e) {
            throw usage(e.getMessage());
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(mixee.commandLine(), message);
    }

    /** Converter for {@code --scrollback}: bytes, or a number with K or M (binary; KiB/MiB accepted). */
    public static final class ByteSize implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            String s = value.strip().toUpperCase(Locale.ROOT);
            if (s.endsWith("IB")) s = s.substring(0, s.length() - 2);
            else if (s.endsWith("B") && s.length() > 1 && Character.isLetter(s.charAt(s.length() - 2))) s = s.substring(0, s.length() - 1);
            int shift = 0;
            if (s.endsWith("K")) shift = 10;
            else if (s.endsWith("M")) shift = 20;
            if (shift != 0) s = s.substring(0, s.length() - 1);
            if (s.isEmpty() || !s.chars().allMatch(c -> c >= '0' && c <= '9') || s.length() > 9) {
                throw new TypeConversionException("'" + value + "' is not a size; write e.g. 64K, 1M or a number of bytes");
            }
            long bytes = Long.parseLong(s) << shift;
            if (bytes > MAX_SCROLLBACK) {
                throw new TypeConversionException("'" + value + "' is too large (at most 64M)");
            }
            return (int) bytes;
        }
    }
}
