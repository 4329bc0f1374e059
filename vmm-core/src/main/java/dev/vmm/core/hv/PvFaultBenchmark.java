package dev.vmm.core.hv;

import dev.vmm.core.pmap.Pmap;
import dev.vmm.core.pmap.amd64.AmdPmapModule;
import dev.vmm.core.vm.VmPage;
import dev.vmm.core.vm.VmPhys;
import dev.vmm.core.vm.VmSpace;
import dev.vmm.core.vm.VmSystem;
import dev.vmm.cpu.Cpu;
import dev.vmm.cpu.IoPorts;
import dev.vmm.cpu.Sregs;
import dev.vmm.mmu.PhysicalMemory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static dev.vmm.core.hv.PvMemory.*;
import static dev.vmm.core.vm.VmParam.*;

/**
 * The page-fault benchmark of the pv path: ring-3 guest code on the interpreter stores to {@code pages}
 * fresh anonymous pages of a pv address space, so every store goes CPU -> TLB miss -> page walker (not
 * present) -> #PF -> {@link PvMemory#pageFault} -> vm_fault (zero-fill) -> pmap_enter -> restart.
 * Each round uses a new address space, made and destroyed by hypercall outside the timed part.
 * Superpages are off, so every page is one 4 KiB fault, as on a host with transparent huge pages off.
 *
 * <p>A second measurement times pmap_enter alone: {@code pages} already-allocated pages entered into a
 * user pmap one by one (4 KiB, managed, writeable), then removed.
 *
 * <p>Not thread-safe: one benchmark, one thread.
 */
public final class PvFaultBenchmark {
    /** Where the data and the code go in each round's address space. */
    static final long DATA_VA = 0x1000_0000L, CODE_VA = 0x40_0000L;
    private static final IoPorts NO_PORTS = new IoPorts() {
        @Override public int in(int port, int size) { return -1; }
        @Override public void out(int port, int size, int value) { }
    };

    /** One timed round: the faults resolved, the pmap_enter calls they made, and the time they took. */
    public record Round(long faults, long enters, double seconds) {
        public double faultsPerSecond() { return faults / seconds; }

        public double entersPerSecond() { return enters / seconds; }
    }

    private final int pages;
    private final PhysicalMemory mem;
    private final VmSystem vm;
    private final Cpu cpu;
    private final AmdPmapModule pmap;
    private final PvMemory pv;
    private final byte[] code;

    /** A machine with room for {@code pages} data pages and their page tables, pv lists and code. */
    public PvFaultBenchmark(int pages) {
        if (pages < 1 || pages > (1 << 20)) throw new IllegalArgumentException("pages must be in [1, 2^20]: " + pages);
        this.pages = pages;
        long pool = ((pages * PAGE_SIZE * 5 / 4) + (8L << 20)) & ~((1L << 20) - 1);
        long base = 4L << 20;
        this.mem = new PhysicalMemory(base + pool);
        this.vm = new VmSystem(new VmPhys(mem, base, base + pool));
        vm.setSuperpagesEnabled(false);
        this.cpu = new Cpu(0, mem, NO_PORTS);
        this.pmap = AmdPmapModule.install(vm, new CpuTlbPort(List.of(cpu)));
        this.pv = new PvMemory(vm);
        cpu.hypervisor = pv;
        this.code = touchPages(DATA_VA, pages);
    }

    public int pages() { return pages; }

    /**
     * Ring-3 code: {@code mov rdi, data; mov ecx, n; loop: mov [rdi], rcx; add rdi, 4096; dec ecx; jnz loop;
     * jmp $}. It retires exactly {@code 2 + 4n} instructions before the final spin (a faulting store is
     * restarted, not retired).
     */
    static byte[] touchPages(long data, int n) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x48).put((byte) 0xBF).putLong(data);               // mov rdi, data
        b.put((byte) 0xB9).putInt(n);                                     // mov ecx, n
        b.put(new byte[]{0x48, (byte) 0x89, 0x0F});                       // loop: mov [rdi], rcx
        b.put(new byte[]{0x48, (byte) 0x81, (byte) 0xC7, 0, 0x10, 0, 0}); // add rdi, 4096
        b.put(new byte[]{(byte) 0xFF, (byte) 0xC9});                      // dec ecx
        b.put(new byte[]{0x75, (byte) 0xF2});                             // jnz loop
        b.put(new byte[]{(byte) 0xEB, (byte) 0xFE});                      // jmp $
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    private long hc(long nr, long a0, long a1, long a2, long a3, long a4) {
        long[] out = {0};
        long rv = pv.call(0, nr, a0, a1, a2, a3, a4, out);
        if (rv != KERN_SUCCESS) throw new IllegalStateException("hypercall " + Long.toHexString(nr) + " returned " + rv);
        return out[0];
    }

    /** One round of guest stores to fresh pages; throws if any fault was not resolved. */
    public Round faultRound() {
        long as = hc(HC_VMSPACE_CREATE, 0, 0, 0, 0, 0);
        hc(HC_MMAP, as, DATA_VA, pages * PAGE_SIZE, VM_PROT_RW, VmSpace.MAP_PRIVATE | VmSpace.MAP_ANON | VmSpace.MAP_FIXED);
        hc(HC_MMAP, as, CODE_VA, PAGE_SIZE, VM_PROT_ALL, VmSpace.MAP_PRIVATE | VmSpace.MAP_ANON | VmSpace.MAP_FIXED);
        VmSpace s = pv.space(as);
        if (s.copyout(CODE_VA, code) != KERN_SUCCESS) throw new IllegalStateException("cannot place the code");
        hc(HC_MPROTECT, as, CODE_VA, PAGE_SIZE, VM_PROT_READ | VM_PROT_EXECUTE, 0);
        hc(HC_ACTIVATE, as, 0, 0, 0, 0);
        Sregs.setLongMode(cpu, 3, s.pmap().cr3(), CODE_VA, 0);
        long faults0 = pv.faultsResolved, enters0 = pmap.counters.enters, budget = 2 + 4L * pages;
        long t0 = System.nanoTime();
        Cpu.Exit exit = cpu.run(budget);
        long dt = System.nanoTime() - t0;
        long faults = pv.faultsResolved - faults0, enters = pmap.counters.enters - enters0;
        if (exit != Cpu.Exit.BUDGET || cpu.rip != CODE_VA + code.length - 2 || faults != pages || pv.faultsToGuest != 0) {
            throw new IllegalStateException(String.format("guest did not touch every page: exit %s, RIP %#x, %d of %d faults resolved, %d to the guest",
                exit, cpu.rip, faults, pages, pv.faultsToGuest));
        }
        hc(HC_VMSPACE_DESTROY, as, 0, 0, 0, 0);
        return new Round(faults, enters, dt / 1e9);
    }

    /** pmap_enter alone: {@code pages} enters of resident pages into one user pmap; returns calls per second. */
    public double enterRound() {
        Pmap p;
        VmPage[] ms = new VmPage[pages];
        synchronized (vm) {
            p = vm.pmap().pinit(true);
            for (int i = 0; i < pages; i++) {
                ms[i] = vm.phys().allocWait();
                ms[i].managed = true;
                ms[i].busy = true; // pmap_enter's precondition for a managed page
            }
        }
        long t0 = System.nanoTime();
        synchronized (vm) {
            for (int i = 0; i < pages; i++) {
                int rv = p.enter(DATA_VA + i * PAGE_SIZE, ms[i], VM_PROT_RW, VM_PROT_WRITE, 0);
                if (rv != KERN_SUCCESS) throw new IllegalStateException("pmap_enter returned " + rv);
            }
        }
        long dt = System.nanoTime() - t0;
        synchronized (vm) {
            p.remove(DATA_VA, DATA_VA + pages * PAGE_SIZE);
            p.release();
            for (VmPage m : ms) { m.busy = false; m.managed = false; vm.phys().free(m); }
        }
        return pages / (dt / 1e9);
    }

    /** The pmap's invariants (pv lists, PTEs, pm_stats) after the rounds: a benchmark of a broken pmap is worthless. */
    public void checkInvariants() { pmap.checkInvariants(); }
}
