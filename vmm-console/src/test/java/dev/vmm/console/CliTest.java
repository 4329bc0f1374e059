package dev.vmm.console;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The vmm command's parsing, messages and exit statuses, run in-process with buffers for stdio. */
class CliTest {
    /** One invocation's outcome. */
    record Outcome(int status, String out, String err) {
        List<String> errLines() { return err.lines().toList(); }
    }

    static Outcome vmm(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Vmm.execute(new Stdio(new ByteArrayInputStream(new byte[0]), out, err), args);
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static <T> T parse(Class<T> command, String... args) {
        Stdio stdio = new Stdio(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(), new ByteArrayOutputStream());
        ParseResult result = Vmm.commandLine(stdio).parseArgs(args);
        return command.cast(result.subcommand().commandSpec().userObject());
    }

    @Test
    void helpNamesTheCommandsAndExitStatuses() {
        Outcome o = vmm("--help");
        assertEquals(0, o.status());
        assertTrue(o.out().contains("run"), o.out());
        assertTrue(o.out().contains("bench"), o.out());
        assertTrue(o.out().contains("(V<<1)|1"), o.out());
        assertEquals("", o.err());
    }

    @Test
    void subcommandHelpListsTheOptions() {
        Outcome run = vmm("run", "--help");
        assertEquals(0, run.status());
        for (String option : List.of("--mem", "--append", "--initrd", "--smp", "--serial", "--stats", "IMAGE")) {
            assertTrue(run.out().contains(option), option + " in\n" + run.out());
        }
        Outcome bench = vmm("help", "bench");
        assertEquals(0, bench.status());
        for (String option : List.of("--n1", "--n2", "--repeat", "--native", "--image")) {
            assertTrue(bench.out().contains(option), option + " in\n" + bench.out());
        }
    }

    @Test
    void versionNamesProjectAndJava() {
        Outcome o = vmm("--version");
        assertEquals(0, o.status());
        assertTrue(o.out().startsWith("vmm "), o.out());
        assertFalse(o.out().contains("${"), "version.properties was not filtered: " + o.out());
        assertTrue(o.out().contains("Java " + Runtime.version().feature()), o.out());
    }

    @Test
    void defaultsMatchTheDocumentation() {
        RunCommand run = parse(RunCommand.class, "run");
        assertEquals("hello", run.image);
        assertEquals(256L << 20, run.machine.memBytes);
        assertEquals(1, run.machine.smp);
        assertEquals("", run.machine.cmdline);
        assertEquals(List.of(), run.machine.initrd);
        assertEquals(List.of(dev.vmm.console.serial.SerialSpec.STDIO), run.serial.specs());
        assertFalse(run.stats);
    }

    @Test
    void parsesEveryRunOption() {
        RunCommand run = parse(RunCommand.class, "run", "--mem", "64G", "--append", "console=ttyS0 quiet",
                "--initrd", "a.img,b.img", "--initrd", "c.img", "--smp", "1", "--serial", "none", "--stats", "kernel.elf");
        assertEquals(64L << 30, run.machine.memBytes);
        assertEquals("console=ttyS0 quiet", run.machine.cmdline);
        assertEquals(List.of("a.img", "b.img", "c.img"), run.machine.initrd);
        assertEquals(List.of(dev.vmm.console.serial.SerialSpec.NONE), run.serial.specs());
        assertTrue(run.stats);
        assertEquals("kernel.elf", run.image);
    }

    @Test
    void benchSharesTheMachineOptions() {
        BenchCommand bench = parse(BenchCommand.class, "bench", "--mem", "1G", "--n1", "10", "--n2", "20", "--repeat", "5", "--native");
        assertEquals(1L << 30, bench.machine.memBytes);
        assertEquals(10, bench.n1);
        assertEquals(20, bench.n2);
        assertEquals(5, bench.repeat);
        assertTrue(bench.nativeToo);
    }

    @Test
    void badMemIsAUsageErrorWithItsReason() {
        for (String bad : List.of("1000000", "12X", "-5M", "1M", "4T")) {
            Outcome o = vmm("run", "--mem", bad, "hello");
            assertEquals(2, o.status(), bad);
            assertTrue(o.errLines().getFirst().startsWith("vmm: Invalid value for option '--mem': '" + bad + "'"), o.err());
            assertEquals("", o.out());
        }
        Outcome o = vmm("run", "--mem", "1000000");
        assertTrue(o.err().contains("multiple of 1 MiB"), o.err());
    }

    @Test
    void smpOutsideOneTo64IsAUsageError() {
        assertEquals(2, vmm("run", "--smp", "0").status());
        assertEquals(2, vmm("run", "--smp", "65").status());
        assertEquals(2, vmm("run", "--smp", "two").status());
        assertEquals(64, parse(RunCommand.class, "run", "--smp", "64").machine.smp);
    }

    @Test
    void unknownCommandsAndOptionsAreUsageErrors() {
        Outcome typo = vmm("runn");
        assertEquals(2, typo.status());
        assertTrue(typo.err().contains("Did you mean"), typo.err());
        assertEquals(2, vmm("run", "--no-such-option").status());
        assertEquals(2, vmm("run", "--serial", "pty").status());
        assertEquals(2, vmm("run", "a", "b").status());
        assertEquals(2, vmm("bench", "--n1", "5", "--n2", "5").status());
    }

    @Test
    void aMissingImageIsOneLineAndStatus2() {
        Outcome o = vmm("run", "/no/such/kernel.bin");
        assertEquals(2, o.status());
        assertEquals(List.of("vmm: /no/such/kernel.bin: no such file"), o.errLines());
        Outcome name = vmm("run", "no-such-image-name");
        assertEquals(2, name.status());
        assertEquals(1, name.errLines().size(), name.err());
        assertTrue(name.err().startsWith("vmm: no-such-image-name: no such file, and no image of that name in the catalog"), name.err());
    }

    @Test
    void aDirectoryOrEmptyFileIsOneLineAndStatus2(@TempDir Path dir) throws IOException {
        Outcome o = vmm("run", dir.toString());
        assertEquals(2, o.status());
        assertEquals(List.of("vmm: " + dir + ": is a directory"), o.errLines());
        Path empty = Files.createFile(dir.resolve("empty.bin"));
        Outcome e = vmm("run", empty.toString());
        assertEquals(List.of("vmm: " + empty + ": empty file"), e.errLines());
        assertEquals(2, e.status());
    }

    @Test
    void aMissingInitrdIsOneLineAndStatus2(@TempDir Path dir) throws IOException {
        Path kernel = Files.write(dir.resolve("k.bin"), new byte[] {1, 2, 3});
        Outcome o = vmm("run", "--initrd", kernel + "," + dir.resolve("nope.img"), kernel.toString());
        assertEquals(2, o.status());
        assertEquals(List.of("vmm: " + dir.resolve("nope.img") + ": no such file"), o.errLines());
    }

    @Test
    void resolverReadsFilesAndMakesInitrdPathsAbsolute(@TempDir Path dir) throws IOException {
        Path kernel = Files.write(dir.resolve("k.bin"), new byte[] {1, 2, 3});
        BootImage image = ImageResolver.resolve(kernel.toString());
        assertEquals(kernel.toString(), image.name());
        assertArrayEquals(new byte[] {1, 2, 3}, image.bytes());
        Path relative = Path.of("").toAbsolutePath().relativize(kernel);
        assertEquals(kernel, ImageResolver.readableFile(relative.toString()));
        UserError e = assertThrows(UserError.class, () -> ImageResolver.resolve(""));
        assertEquals("empty image name", e.getMessage());
    }

    @Test
    void benchImageIsAlwaysAFile(@TempDir Path dir) throws IOException {
        Outcome missing = vmm("bench", "--image", "bench");
        assertEquals(2, missing.status());
        assertEquals(List.of("vmm: bench: no such file"), missing.errLines());
        Path text = Files.writeString(dir.resolve("hostname"), "host\n");
        Outcome notKernel = vmm("bench", "--image", text.toString());
        assertEquals(2, notKernel.status());
        assertEquals(List.of("vmm: " + text + ": not the benchmark kernel (no Multiboot header at offset 0 with the iteration count at 0x20)"),
                notKernel.errLines());
        assertEquals("", notKernel.out());
    }

    @Test
    void aPicocliErrorNeverShowsAStackTrace() {
        Outcome o = vmm("bench", "--repeat", "x");
        assertEquals(2, o.status());
        assertFalse(o.err().contains("\tat "), o.err());
    }

    @Test
    void internalErrorsAreOneLinePlusAHint() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        var writer = new java.io.PrintWriter(err, true, StandardCharsets.UTF_8);
        int status = Vmm.internalError(writer, new IllegalStateException("boom\nsecond line"));
        assertEquals(Vmm.EXIT_INTERNAL_ERROR, status);
        List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals("vmm: internal error: java.lang.IllegalStateException: boom; second line", lines.get(0));
        assertTrue(lines.get(1).contains("VMM_DEBUG=1"), lines.get(1));
    }

    @Test
    void everyCommandIsWellFormed() {
        Stdio stdio = new Stdio(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(), new ByteArrayOutputStream());
        CommandLine cl = Vmm.commandLine(stdio);
        assertEquals(java.util.Set.of("run", "monitor", "bench", "bench-vm", "help"), cl.getSubcommands().keySet());
        assertInstanceOf(RunCommand.class, cl.getSubcommands().get("run").getCommand());
    }

    // ---- end to end: these need a working Machine and skip themselves while it is a stub ----

    @Test
    @Tag("needs-machine")
    void aFileThatIsNotAKernelIsOneLineAndStatus2(@TempDir Path dir) throws IOException {
        assumeTrue(MachineAvailable.works(), "Machine is still a stub");
        Path garbage = Files.writeString(dir.resolve("hostname"), "build-host-42\n");
        Outcome o = vmm("run", "--serial", "none", garbage.toString());
        assertEquals(2, o.status(), o.err());
        assertEquals(1, o.errLines().size(), o.err());
        assertTrue(o.err().startsWith("vmm: "), o.err());
        assertTrue(o.err().contains(garbage.toString()), "the message names the file: " + o.err());
        assertFalse(o.err().contains("internal error"), o.err());
    }

    @Test
    @Tag("needs-machine")
    void theDemoBootsWithNoArguments() {
        assumeTrue(MachineAvailable.works(), "Machine is still a stub");
        assumeTrue(MachineAvailable.hasImage("hello"), "no hello image in the catalog yet");
        Outcome o = vmm();
        assertFalse(o.out().isEmpty(), "the demo prints on COM1");
        assertFalse(o.err().contains("internal error"), o.err());
        assertEquals(o.status(), vmm("run", "hello").status());
    }

    @Test
    @Tag("needs-machine")
    void statsPrintInstructions() {
        assumeTrue(MachineAvailable.works(), "Machine is still a stub");
        assumeTrue(MachineAvailable.hasImage("hello"), "no hello image in the catalog yet");
        Outcome o = vmm("run", "--serial", "none", "--stats", "hello");
        assertTrue(o.err().lines().anyMatch(l -> l.matches("instructions: [1-9][0-9]*")), o.err());
    }

    @Test
    @Tag("needs-machine")
    void benchRunsAndVerifiesTheKnownChecksums() {
        assumeTrue(MachineAvailable.works(), "Machine is still a stub");
        assumeTrue(MachineAvailable.hasImage("bench"), "no bench image in the catalog yet");
        Outcome o = vmm("bench", "--n1", "10", "--n2", "20", "--repeat", "1");
        assertEquals(0, o.status(), o.out() + o.err());
        assertTrue(o.out().contains("checksum N=10: 9bbc6814b3871c3a (verified)"), o.out());
        assertTrue(o.out().contains("checksum N=20: 04959a152ab81a70 (verified)"), o.out());
    }
}
