package dev.vmm.core.hv;

import dev.vmm.core.pmap.amd64.AmdPmapModule;
import dev.vmm.core.pmap.amd64.Shootdown;
import dev.vmm.core.vm.VmFault;
import dev.vmm.core.vm.VmPhys;
import dev.vmm.core.vm.VmSpace;
import dev.vmm.core.vm.VmSystem;
import dev.vmm.cpu.Cpu;
import dev.vmm.cpu.Hypervisor;
import dev.vmm.mmu.PageFaultCode;
import dev.vmm.mmu.PhysicalMemory;
import dev.vmm.mmu.TlbChecker;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import static dev.vmm.core.vm.VmParam.*;

/**
 * Paravirtual memory: the hypercalls a pv guest kernel uses to leave its address spaces to the VMM,
 * and the #PF interception that sends faults at user addresses of a pv address space to vm_fault.
 *
 * <p>ABI (README, "pv hypercalls"): VMCALL with the number in RAX and arguments in RDI, RSI, RDX, R10,
 * R8, R9; RAX returns a KERN_* code, and a second result (a handle or an address) comes back in RDX.
 * An unknown number returns -1000 (KVM's -KVM_ENOSYS); a call from CPL > 0 returns -1 (-KVM_EPERM).
 * Bad arguments return KERN_INVALID_ARGUMENT and change nothing.
 *
 * <p>Thread safety: every call runs under the VM lock (the {@link VmSystem}'s monitor), entered
 * through a gate: a vCPU waiting for it keeps serving its TLB shootdown mailbox, since the vCPU holding
 * the lock may be waiting for that vCPU's acknowledgement (a CPU spinning on a lock still takes IPIs).
 * The vCPU that makes a call is the shootdown's initiator: it invalidates its own TLB at once.
 */
public final class PvMemory implements Hypervisor {
    public static final int HC_VMSPACE_CREATE = 0x100, HC_VMSPACE_DESTROY = 0x101, HC_MMAP = 0x102,
        HC_MUNMAP = 0x103, HC_MPROTECT = 0x104, HC_MADVISE = 0x105, HC_MLOCK = 0x106, HC_MUNLOCK = 0x107,
        HC_FORK = 0x108, HC_ACTIVATE = 0x109, HC_FAULT = 0x10A;
    public static final long KVM_ENOSYS = -1000, KVM_EPERM = -1;

    private final VmSystem vm;
    private final Shootdown shootdown;
    private final ReentrantLock gate = new ReentrantLock();
    private final Map<Long, VmSpace> spaces = new HashMap<>();
    /** The pv address space active on each vCPU (by APIC id), or null: looked up on every #PF. */
    private VmSpace[] current = new VmSpace[1];
    private long nextHandle = 1;
    /** Counters: hypercalls served, faults resolved here, faults passed on to the guest. */
    public long hypercalls, faultsResolved, faultsToGuest;

    public PvMemory(VmSystem vm) {
        this.vm = vm;
        this.shootdown = vm.pmap() instanceof AmdPmapModule m ? m.shootdown : null;
    }

    /** FreeBSD amd64's KERNBASE: the guest kernel's window onto the RAM below the pv pool. */
    public static final long KERNBASE = 0xFFFF_FFFF_8000_0000L;

    /** The least RAM pv mode works with: half of it is the pool, which needs room for page tables and pv chunks. */
    public static final long MIN_RAM = 8L << 20;

    /** Where a machine's pv page pool starts: the upper half of low RAM, 2 MiB aligned. */
    public static long poolBase(PhysicalMemory mem) {
        long lowEnd = mem.ramRanges().get(0)[1];
        return (lowEnd / 2) & ~((2L << 20) - 1);
    }

    /**
     * pv mode for a machine: the VM layer gets the pool [{@link #poolBase}, end of low RAM) (the machine
     * reports it reserved to the guest), the amd64 pmap runs over it with the vCPUs as its TLB port, the
     * guest's RAM below the pool is mapped at {@link #KERNBASE} in the kernel half of every pv address
     * space, and every vCPU sends VMCALL and #PF here.
     */
    public static PvMemory install(PhysicalMemory mem, List<Cpu> cpus) {
        return install(mem, cpus, new CpuTlbPort(cpus), null);
    }

    /**
     * pv mode with a given TLB port (IPIs through the local APICs when the vCPUs run on threads of their
     * own) and, when not null, the TLB checker's pmap rule on every pmap call.
     */
    public static PvMemory install(PhysicalMemory mem, List<Cpu> cpus, CpuTlbPort port, TlbChecker checker) {
        long base = poolBase(mem), end = mem.ramRanges().get(0)[1];
        if (end < MIN_RAM) throw new IllegalArgumentException("pv mode needs at least " + (MIN_RAM >> 20) + " MiB of RAM");
        VmSystem vm = new VmSystem(new VmPhys(mem, base, end));
        AmdPmapModule pmap = AmdPmapModule.install(vm, port);
        pmap.setTlbChecker(checker);
        pmap.mapKernelWindow(KERNBASE, base);
        PvMemory pv = new PvMemory(vm);
        for (Cpu c : cpus) c.hypervisor = pv;
        return pv;
    }

    public VmSystem vm() { return vm; }

    /** The live pv address spaces by handle, in handle order (a snapshot, for the monitor and tests). */
    public java.util.SortedMap<Long, VmSpace> spaces() { synchronized (vm) { return new java.util.TreeMap<>(spaces); } }

    /** The pv address space active on vCPU {@code cpu} (by APIC id), or null. */
    public VmSpace current(int cpu) { synchronized (vm) { return cpu >= 0 && cpu < current.length ? current[cpu] : null; } }

    /** The pv address space behind a handle (for the VMM's own use and tests), or null. */
    public VmSpace space(long handle) { synchronized (vm) { return spaces.get(handle); } }

    @Override
    public long vmcall(Cpu c) {
        if (c.cpl != 0) return KVM_EPERM;
        long nr = c.r[0], a0 = c.r[7], a1 = c.r[6], a2 = c.r[2], a3 = c.r[10], a4 = c.r[8];
        enter(c.apicId());
        try {
            synchronized (vm) {
                hypercalls++;
                long[] out = {0};
                long rv = call(c.apicId(), nr, a0, a1, a2, a3, a4, out);
                if (rv == KERN_SUCCESS) c.r[2] = out[0];
                return rv;
            }
        } finally {
            leave();
        }
    }

    /** Takes the VM lock for vCPU {@code cpu} (-1: the VMM), serving its shootdown mailbox while it waits. */
    private void enter(int cpu) {
        if (!gate.tryLock()) {
            try {
                while (true) {
                    if (cpu >= 0 && shootdown != null) shootdown.service(cpu);
                    if (gate.tryLock(20, TimeUnit.MICROSECONDS)) break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                gate.lock();
            }
        }
        if (cpu >= 0 && shootdown != null) shootdown.setInitiator(cpu);
    }

    private void leave() {
        if (shootdown != null) shootdown.setInitiator(-1);
        gate.unlock();
    }

    /** The hypercall itself, by number; exposed so the VMM can drive pv spaces without a vCPU. */
    public long call(int cpu, long nr, long a0, long a1, long a2, long a3, long a4, long[] out) {
        boolean outer = !gate.isHeldByCurrentThread();
        if (outer) enter(-1);
        try {
            return callLocked(cpu, nr, a0, a1, a2, a3, a4, out);
        } finally {
            if (outer) leave();
        }
    }

    private long callLocked(int cpu, long nr, long a0, long a1, long a2, long a3, long a4, long[] out) {
        synchronized (vm) {
            if (nr == HC_VMSPACE_CREATE) {
                long h = nextHandle++;
                spaces.put(h, VmSpace.create(vm));
                out[0] = h;
                return KERN_SUCCESS;
            }
            if (nr < HC_VMSPACE_CREATE || nr > HC_FAULT) return KVM_ENOSYS;
            VmSpace s = spaces.get(a0);
            if (s == null) return KERN_INVALID_ARGUMENT;
            return switch ((int) nr) {
                case HC_VMSPACE_DESTROY -> {
                    spaces.remove(a0);
                    for (int i = 0; i < current.length; i++) if (current[i] == s) current[i] = null;
                    s.exit();
                    yield KERN_SUCCESS;
                }
                case HC_MMAP -> s.mmap(a1, a2, (int) a3, (int) a4, out);
                case HC_MUNMAP -> s.munmap(a1, a2);
                case HC_MPROTECT -> a3 != (int) a3 ? KERN_INVALID_ARGUMENT : s.mprotect(a1, a2, (int) a3);
                case HC_MADVISE -> a3 != (int) a3 ? KERN_INVALID_ARGUMENT : s.madvise(a1, a2, (int) a3);
                case HC_MLOCK -> s.mlock(a1, a2);
                case HC_MUNLOCK -> s.munlock(a1, a2);
                case HC_FORK -> {
                    long h = nextHandle++;
                    spaces.put(h, s.fork());
                    out[0] = h;
                    yield KERN_SUCCESS;
                }
                case HC_ACTIVATE -> {
                    vm.pmap().activate(cpu, s.pmap());
                    if (cpu >= current.length) current = java.util.Arrays.copyOf(current, cpu + 1);
                    current[cpu] = s;
                    yield KERN_SUCCESS;
                }
                case HC_FAULT -> (a2 & ~VM_PROT_ALL) != 0 ? KERN_INVALID_ARGUMENT : VmFault.fault(s.map, a1, (int) a2, 0);
                default -> KVM_ENOSYS;
            };
        }
    }

    @Override
    public boolean pageFault(Cpu c, long va, int errorCode) {
        enter(c.apicId());
        try {
            return resolve(c, va, errorCode);
        } finally {
            leave();
        }
    }

    private boolean resolve(Cpu c, long va, int errorCode) {
        synchronized (vm) {
            int id = c.apicId();
            VmSpace s = id < current.length ? current[id] : null;
            if (s == null || va < 0 || va >= VmSpace.VM_MAXUSER_ADDRESS || (errorCode & PageFaultCode.RSVD) != 0) {
                faultsToGuest++;
                return false;
            }
            int type = (errorCode & PageFaultCode.ID) != 0 ? VM_PROT_EXECUTE
                : (errorCode & PageFaultCode.W) != 0 ? VM_PROT_WRITE : VM_PROT_READ;
            if (VmFault.fault(s.map, va, type, 0) == KERN_SUCCESS) { faultsResolved++; return true; }
            faultsToGuest++;
            return false;
        }
    }
}
