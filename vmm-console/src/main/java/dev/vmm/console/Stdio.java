package dev.vmm.console;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;

/**
 * The process's standard streams as the commands see them; tests substitute buffers.
 *
 * @param in  bytes for the guest's COM1 ({@code --serial stdio})
 * @param out the guest's COM1 output, unbuffered so an interactive guest's prompt shows at once
 * @param err where vmm's own messages go: help and version text go to picocli's out writer instead
 */
public record Stdio(InputStream in, OutputStream out, OutputStream err) {
    public static Stdio system() {
        return new Stdio(System.in, new FileOutputStream(FileDescriptor.out), new FileOutputStream(FileDescriptor.err));
    }

    PrintWriter outWriter() {
        return new PrintWriter(out, true, Charset.defaultCharset());
    }

    PrintWriter errWriter() {
        return new PrintWriter(err, true, Charset.defaultCharset());
    }
}
