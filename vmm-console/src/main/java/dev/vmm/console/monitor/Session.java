package dev.vmm.console.monitor;

import dev.vmm.core.ExitStatus;
import dev.vmm.core.Machine;
import dev.vmm.console.serial.SerialBackends;
import dev.vmm.cpu.Cpu;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** What every monitor command works on: the machine, where to print, and the shell's state. */
final class Session {
    final Machine vm;
    final PrintWriter out;
    /** The host sides of the COM ports (--serial), or null when the machine was built without them. */
    final SerialBackends serial;
    /** Set by {@code quit}: the shell ends after this command. */
    volatile boolean quit;
    /** Where events that happen while the guest runs go (traces): above the prompt in the shell. */
    volatile java.util.function.Consumer<String> events = this::printEvent;
    private Tracer tracer;

    Session(Machine vm, PrintWriter out, SerialBackends serial) {
        this.vm = vm;
        this.out = out;
        this.serial = serial;
    }

    private void printEvent(String line) {
        synchronized (out) { out.println(line); out.flush(); }
    }

    synchronized Tracer tracer() {
        if (tracer == null) tracer = new Tracer(vm, line -> events.accept(line));
        return tracer;
    }

    Cpu cpu(Integer n) {
        List<Cpu> cpus = vm.cpus();
        int i = n == null ? 0 : n;
        if (i < 0 || i >= cpus.size()) throw new MonitorError("no cpu " + i + " (this machine has cpu0" + (cpus.size() > 1 ? "..cpu" + (cpus.size() - 1) : "") + ")");
        return cpus.get(i);
    }

    boolean ended() { return vm.exitStatus() != null; }

    /** The guest must be stopped for this command (not running, not ended). */
    void requireStopped(String what) {
        ExitStatus st = vm.exitStatus();
        if (st != null) throw new MonitorError("cannot " + what + ": the machine has ended (" + describe(st) + ")");
        if (!vm.isPaused()) throw new MonitorError("cannot " + what + " while the guest runs: 'stop' it first");
    }

    /**
     * Runs an inspection with the vCPUs still: as they are if stopped or ended, else pausing the guest
     * for the duration and letting it run on afterwards.
     */
    <T> T inspect(Callable<T> body) {
        boolean pausedHere = false;
        try {
            if (!ended() && !vm.isPaused()) pausedHere = vm.pause();
            return body.call();
        } catch (MonitorError e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MonitorError("interrupted");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            if (pausedHere) vm.resume();
        }
    }

    void inspect(Runnable body) {
        inspect(() -> { body.run(); return null; });
    }

    static String describe(ExitStatus st) {
        String r = st.report() == null ? "" : ": " + st.report().replaceFirst("^vmm: ", "");
        return st.kind().name().toLowerCase().replace('_', ' ') + ", exit status " + st.exitCode() + r;
    }

    String where(Cpu c) {
        return String.format("cpu%d at %#x", c.apicId(), c.rip);
    }
}
