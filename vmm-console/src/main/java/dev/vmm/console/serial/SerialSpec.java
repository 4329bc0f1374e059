package dev.vmm.console.serial;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * What one {@code --serial} option asks for: the host side of one COM port.
 *
 * <pre>
 *   stdio                               guest output to stdout, stdin to the guest
 *   none                                no cable: output discarded, nothing received
 *   tcp:[HOST]:PORT[,wait][,telnet|raw] a console server on HOST:PORT (HOST defaults to 127.0.0.1;
 *                                       an IPv6 literal goes in brackets: tcp:[::1]:4555); PORT 0
 *                                       picks a free port; telnet (default) negotiates character mode,
 *                                       raw passes bytes untouched; wait holds the guest until the
 *                                       first client connects
 * </pre>
 *
 * @param kind   stdio, none or tcp
 * @param host   the address to listen on (tcp only; null otherwise)
 * @param port   0..65535 (tcp only)
 * @param waitForClient hold the guest until the first client connects (tcp only)
 * @param telnet speak telnet (true) or pass raw bytes (false) (tcp only)
 * @param hostGiven whether HOST was written out, as a non-loopback address must be
 */
public record SerialSpec(Kind kind, String host, int port, boolean waitForClient, boolean telnet, boolean hostGiven) {

    public enum Kind { STDIO, NONE, TCP }

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final SerialSpec STDIO = new SerialSpec(Kind.STDIO, null, 0, false, false, false);
    public static final SerialSpec NONE = new SerialSpec(Kind.NONE, null, 0, false, false, false);

    /**
     * Parses one {@code --serial} value.
     *
     * @throws IllegalArgumentException with a one-line message naming what is wrong
     */
    public static SerialSpec parse(String text) {
        String s = text.strip();
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.equals("stdio")) return STDIO;
        if (lower.equals("none")) return NONE;
        if (!lower.startsWith("tcp:")) {
            throw new IllegalArgumentException("'" + text + "' is not stdio, none or tcp:[HOST]:PORT[,wait][,telnet|raw]");
        }
        String[] parts = s.substring(4).split(",", -1);
        String address = parts[0];
        boolean wait = false, telnet = true, modeSeen = false;
        for (int i = 1; i < parts.length; i++) {
            switch (parts[i].strip().toLowerCase(Locale.ROOT)) {
                case "wait" -> {
                    if (wait) throw new IllegalArgumentException("'" + text + "': wait given twice");
                    wait = true;
                }
                case "telnet", "raw" -> {
                    if (modeSeen) throw new IllegalArgumentException("'" + text + "': give one of telnet or raw");
                    modeSeen = true;
                    telnet = parts[i].strip().equalsIgnoreCase("telnet");
                }
                default -> throw new IllegalArgumentException("'" + text + "': unknown flag '" + parts[i]
                        + "' (expected wait, telnet or raw)");
            }
        }
        String host;
        String portText;
        if (address.startsWith("[")) {                       // [IPv6]:PORT
            int close = address.indexOf(']');
            if (close < 0 || close + 1 >= address.length() || address.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("'" + text + "': write an IPv6 address as [ADDR]:PORT");
            }
            host = address.substring(1, close);
            portText = address.substring(close + 2);
        } else {
            int colon = address.lastIndexOf(':');
            host = colon < 0 ? "" : address.substring(0, colon);
            portText = colon < 0 ? address : address.substring(colon + 1);
            if (host.contains(":")) {
                throw new IllegalArgumentException("'" + text + "': write an IPv6 address as [ADDR]:PORT");
            }
        }
        int port = parsePort(text, portText);
        boolean hostGiven = !host.isEmpty();
        return new SerialSpec(Kind.TCP, hostGiven ? host : DEFAULT_HOST, port, wait, telnet, hostGiven);
    }

    private static int parsePort(String text, String portText) {
        if (portText.isEmpty()) throw new IllegalArgumentException("'" + text + "': missing PORT (tcp:[HOST]:PORT)");
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': '" + portText + "' is not a port number");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("'" + text + "': port " + port + " is out of range 0..65535");
        }
        return port;
    }

    /**
     * The address to bind, resolved now so a bad host name is a usage error rather than a bind failure.
     *
     * @throws IllegalArgumentException when the host name does not resolve
     */
    public InetAddress resolveHost() {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown host '" + host + "' in --serial " + this);
        }
    }

    /** The spec as it would be written on the command line, with defaults filled in. */
    @Override
    public String toString() {
        return switch (kind) {
            case STDIO -> "stdio";
            case NONE -> "none";
            case TCP -> "tcp:" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port
                    + (waitForClient ? ",wait" : "") + (telnet ? ",telnet" : ",raw");
        };
    }

    /** Picocli's converter: a bad spec becomes a one-line usage error. */
    public static final class Converter implements ITypeConverter<SerialSpec> {
        @Override
        public SerialSpec convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
