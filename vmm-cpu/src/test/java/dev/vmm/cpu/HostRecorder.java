package dev.vmm.cpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Records differential vectors on the host CPU: GNU as assembles every case (an encoder independent of
 * ours), objcopy and nm cut the bytes of each case out of the object, gcc builds the native harness
 * (src/test/native), and the harness runs each case from each input and reports what the CPU did.
 * Needs Linux on x86-64 with gcc and binutils; {@link #available()} says whether they are there.
 */
final class HostRecorder {
    private final Path work;
    private final Path nativeDir;

    HostRecorder(Path work, Path nativeDir) {
        this.work = work;
        this.nativeDir = nativeDir;
    }

    static boolean available() {
        if (!"amd64".equals(System.getProperty("os.arch")) || !System.getProperty("os.name").startsWith("Linux")) return false;
        for (String tool : new String[] {"gcc", "as", "objcopy", "nm"}) {
            try {
                Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor() != 0) return false;
            } catch (IOException | InterruptedException e) {
                return false;
            }
        }
        return true;
    }

    static String vendor() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("vendor_id")) return l.substring(l.indexOf(':') + 1).trim();
            }
        } catch (IOException e) {
            return "unknown";
        }
        return "unknown";
    }

    VectorFile.Set record(List<DiffCase> cases) throws IOException, InterruptedException {
        Files.createDirectories(work);
        List<byte[]> codes = assemble(cases);
        Path harness = work.resolve("hostrun");
        run(List.of("gcc", "-O1", "-o", harness.toString(), nativeDir.resolve("hostrun.c").toString(),
            nativeDir.resolve("hostrun_entry.S").toString()));
        StringBuilder input = new StringBuilder();
        List<List<long[]>> inputs = new ArrayList<>();
        HexFormat hex = HexFormat.of();
        for (int i = 0; i < cases.size(); i++) {
            List<long[]> ins = VectorInputs.of(cases.get(i));
            inputs.add(ins);
            String prefix = cases.get(i).mode() + " " + hex.formatHex(codes.get(i));
            for (long[] in : ins) {
                input.append(prefix);
                for (long v : in) input.append(' ').append(Long.toHexString(v));
                input.append('\n');
            }
        }
        Path inFile = work.resolve("vectors.in"), outFile = work.resolve("vectors.out");
        Files.writeString(inFile, input);
        Process p = new ProcessBuilder(harness.toString()).redirectInput(inFile.toFile()).redirectOutput(outFile.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (p.waitFor() != 0) throw new IOException("hostrun exited with " + p.exitValue());
        List<String> lines = Files.readAllLines(outFile);
        List<VectorFile.Recorded> out = new ArrayList<>();
        int line = 0;
        for (int i = 0; i < cases.size(); i++) {
            DiffCase c = cases.get(i);
            List<VectorFile.Vector> vs = new ArrayList<>();
            for (long[] in : inputs.get(i)) vs.add(new VectorFile.Vector(in, canonical(c, in, lines.get(line++))));
            out.add(new VectorFile.Recorded(c, codes.get(i), vs));
        }
        return new VectorFile.Set(vendor(), out);
    }

    /** The harness prints all registers; keep what changed, in {@link VectorFile#output} form. */
    private static String canonical(DiffCase c, long[] in, String line) {
        if (line.startsWith("F ")) return line;
        String[] f = line.split(" ");
        long[] regs = new long[16];
        for (int r = 0; r < 16; r++) regs[r] = Long.parseUnsignedLong(f[r], 16);
        long flags = Long.parseUnsignedLong(f[16], 16);
        if (!f[17].equals("x")) throw new IllegalStateException("harness output without SSE state: " + line);
        long[] xmm = new long[32];
        for (int k = 0; k < 32; k++) xmm[k] = Long.parseUnsignedLong(f[18 + k], 16);
        String simd = VectorFile.simd(in, xmm, Integer.parseInt(f[50], 16), Integer.parseInt(f[51], 16),
            Integer.parseInt(f[52], 16), Integer.parseInt(f[53], 16));
        StringBuilder mem = new StringBuilder();
        for (int k = 54; k < f.length; k++) mem.append(mem.isEmpty() ? "" : ",").append(f[k]);
        return VectorFile.output(c.mode(), in, regs, simd, flags, DiffCase.COMPARED, mem.toString());
    }

    /** Assembles all cases into one object and returns each case's bytes. */
    private List<byte[]> assemble(List<DiffCase> cases) throws IOException, InterruptedException {
        StringBuilder src = new StringBuilder(".text\n");
        for (int i = 0; i < cases.size(); i++) {
            src.append(cases.get(i).mode() == 64 ? ".code64\n" : ".code32\n");
            src.append("c").append(i).append(": ").append(cases.get(i).asm()).append('\n');
        }
        src.append("cend:\n");
        Path s = work.resolve("cases.S"), o = work.resolve("cases.o"), bin = work.resolve("cases.bin");
        Files.writeString(s, src);
        run(List.of("as", "--64", "-o", o.toString(), s.toString()));
        run(List.of("objcopy", "-O", "binary", "-j", ".text", o.toString(), bin.toString()));
        String syms = run(List.of("nm", o.toString()));
        Map<String, Integer> at = new HashMap<>();
        for (String l : syms.split("\n")) {
            String[] f = l.trim().split("\\s+");
            if (f.length == 3) at.put(f[2], Integer.parseInt(f[0], 16));
        }
        byte[] all = Files.readAllBytes(bin);
        List<byte[]> codes = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            int from = at.get("c" + i), to = at.get(i + 1 < cases.size() ? "c" + (i + 1) : "cend");
            codes.add(java.util.Arrays.copyOfRange(all, from, to));
        }
        return codes;
    }

    private String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed:\n" + out);
        return out;
    }
}
