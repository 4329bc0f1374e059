package dev.vmm.cpu.disasm;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Compares the disassembler with GNU objdump ({@code -M intel}) on the code of the committed images
 * (regions.txt), both against objdump run now (skipped when it is absent) and against objdump's
 * listing committed in objdump-intel.expected (so the test also runs without binutils).
 *
 * <p>Normalisation, applied to both sides: lower case; objdump's {@code <symbol>} annotations and
 * {@code # comment}s removed; runs of blanks collapsed to one space; no blank after a comma; a lone
 * branch target without {@code 0x} (objdump's form in relocatable objects) gets one.
 * Regenerate the expected file with {@code -Ddisasm.regenerate=true} (needs objdump).
 */
class DisassemblerTest {
    private static final Path IMAGES = Path.of("..", "images", "bin");
    private static final Path EXPECTED = Path.of("src", "test", "resources", "dev", "vmm", "cpu", "disasm", "objdump-intel.expected");

    record Region(String image, String format, long base, int mode, long start, long end) {
        String key() { return image + " " + mode; }
    }

    static List<Region> regions() throws IOException {
        List<Region> out = new ArrayList<>();
        try (InputStream in = DisassemblerTest.class.getResourceAsStream("regions.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) continue;
                String[] f = line.split("\\s+");
                out.add(new Region(f[0], f[1], Long.decode(f[2]), Integer.parseInt(f[3]), Long.decode(f[4]), Long.decode(f[5])));
            }
        }
        return out;
    }

    static String normalise(String s) {
        s = s.replaceAll("<[^>]*>", "").replaceAll("#.*$", "");
        s = s.toLowerCase().strip().replaceAll("\\s+", " ").replace(", ", ",");
        // objdump writes a branch target in a relocatable object without 0x ("jmp e6 <l>")
        return s.replaceAll("^([a-z]+) ([0-9a-f]+)$", "$1 0x$2");
    }

    /** address -> normalised text, ours. */
    static Map<Long, String> ours(Region r) throws IOException {
        byte[] file = Files.readAllBytes(IMAGES.resolve(r.image()));
        int off = (int) (r.start() - 0x100000 + r.base());
        byte[] code = java.util.Arrays.copyOfRange(file, off, off + (int) (r.end() - r.start()));
        Map<Long, String> m = new LinkedHashMap<>();
        for (Disassembler.Line l : Disassembler.disassemble(code, r.start(), r.end(), r.mode())) {
            m.put(l.address(), normalise(l.text()));
        }
        return m;
    }

    /** address -> normalised text, objdump's; null when objdump cannot be run. */
    static Map<Long, String> objdump(Region r) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("objdump", "-M", "intel", "-m", r.mode() == 64 ? "i386:x86-64" : "i386"));
        if (r.format().equals("binary")) {
            cmd.addAll(List.of("-D", "-b", "binary", "--adjust-vma=0x100000"));
        } else {
            cmd.add("-d");
        }
        cmd.add("--start-address=" + r.start());
        cmd.add("--stop-address=" + r.end());
        cmd.add(IMAGES.resolve(r.image()).toString());
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            return null;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) return null;
        Map<Long, String> m = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.split("\t");
            if (f.length < 3 || !f[0].strip().endsWith(":")) continue;   // headers and byte-only continuation lines
            m.put(Long.parseLong(f[0].strip().replace(":", ""), 16), normalise(f[2]));
        }
        return m;
    }

    private static void assertSameListing(String what, Map<Long, String> expected, Map<Long, String> actual) {
        List<String> diffs = new ArrayList<>();
        for (var e : expected.entrySet()) {
            String mine = actual.get(e.getKey());
            if (!e.getValue().equals(mine)) diffs.add(String.format("%#x: objdump '%s', vmm '%s'", e.getKey(), e.getValue(), mine));
        }
        for (Long a : actual.keySet()) if (!expected.containsKey(a)) diffs.add(String.format("%#x: only vmm has '%s'", a, actual.get(a)));
        assertTrue(diffs.isEmpty(), what + ": " + diffs.size() + " differences:\n" + String.join("\n", diffs));
    }

    @Test
    void agreesWithObjdumpRunNow() throws Exception {
        boolean ran = false;
        for (Region r : regions()) {
            Map<Long, String> theirs = objdump(r);
            if (theirs == null) continue;
            ran = true;
            assertFalse(theirs.isEmpty(), "objdump listed nothing for " + r);
            assertSameListing(r.key(), theirs, ours(r));
        }
        assumeTrue(ran, "objdump not available");
        if (Boolean.getBoolean("disasm.regenerate")) {
            StringBuilder sb = new StringBuilder("# objdump -M intel listing of regions.txt, normalised (see DisassemblerTest)\n");
            for (Region r : regions()) {
                for (var e : objdump(r).entrySet()) sb.append(r.key()).append(String.format(" %#x ", e.getKey())).append(e.getValue()).append('\n');
            }
            Files.writeString(EXPECTED, sb.toString());
        }
    }

    @Test
    void agreesWithCommittedObjdumpListing() throws Exception {
        Map<String, Map<Long, String>> expected = new LinkedHashMap<>();
        for (String line : Files.readAllLines(EXPECTED)) {
            if (line.startsWith("#") || line.isBlank()) continue;
            String[] f = line.split(" ", 4);
            expected.computeIfAbsent(f[0] + " " + f[1], k -> new LinkedHashMap<>()).put(Long.decode(f[2]), f[3]);
        }
        assertEquals(regions().size(), expected.size(), "every region has a committed listing");
        int lines = 0;
        for (Region r : regions()) {
            Map<Long, String> exp = expected.get(r.key());
            assertSameListing(r.key(), exp, ours(r));
            lines += exp.size();
        }
        assertTrue(lines > 250, "the listing covers the images' code: " + lines);
    }
}
