package dev.vmm.core.hv;

import dev.vmm.core.pmap.amd64.AmdPmapModule;
import dev.vmm.core.vm.VmPage;
import dev.vmm.core.vm.VmPhys;
import dev.vmm.core.vm.VmSpace;
import dev.vmm.core.vm.VmSystem;
import dev.vmm.cpu.Cpu;
import dev.vmm.cpu.IoPorts;
import dev.vmm.cpu.Sregs;
import dev.vmm.mmu.PhysicalMemory;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static dev.vmm.core.hv.PvMemory.*;
import static dev.vmm.core.vm.VmParam.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Real faults from guest code: ring-3 snippets run on the interpreter over pv address spaces, so each
 * fault goes CPU -> page walker -> #PF -> vm_fault -> pmap_enter -> restart. Faults vm_fault cannot
 * resolve reach the guest's IDT.
 */
class PvRing3Test {
    static final IoPorts NO_PORTS = new IoPorts() {
        @Override public int in(int port, int size) { return -1; }
        @Override public void out(int port, int size, int value) { }
    };
    static final long GDT = 0x1000, IDT = 0x2000, TSS = 0x3000, KSTACK_TOP = 0x8000;

    final PhysicalMemory mem = new PhysicalMemory(64L << 20);
    final VmSystem vm = new VmSystem(new VmPhys(mem, 4L << 20, 64L << 20));
    final Cpu cpu = new Cpu(0, mem, NO_PORTS);
    final AmdPmapModule pmap = AmdPmapModule.install(vm, new CpuTlbPort(List.of(cpu)));
    final PvMemory pv = new PvMemory(vm);
    { cpu.hypervisor = pv; }

    long hc(long nr, long... args) {
        long[] a = new long[5];
        System.arraycopy(args, 0, a, 0, args.length);
        long[] out = {0};
        long rv = pv.call(0, nr, a[0], a[1], a[2], a[3], a[4], out);
        assertEquals(KERN_SUCCESS, rv, "hypercall " + Long.toHexString(nr));
        pmap.checkInvariants();
        return out[0];
    }

    /** Writes N (down to 1) at the first quadword of N consecutive pages from DATA, then spins. */
    static byte[] touchPages(long data, int n) { return PvFaultBenchmark.touchPages(data, n); }

    long mapCode(long space, byte[] code) {
        long va = hc(HC_MMAP, space, 0x40_0000L, 4096, VM_PROT_READ | VM_PROT_EXECUTE, VmSpace.MAP_PRIVATE | VmSpace.MAP_ANON);
        VmSpace s = pv.space(space);
        assertEquals(KERN_SUCCESS, s.mprotect(va, 4096, VM_PROT_ALL));
        assertEquals(KERN_SUCCESS, s.copyout(va, code));
        assertEquals(KERN_SUCCESS, s.mprotect(va, 4096, VM_PROT_READ | VM_PROT_EXECUTE));
        return va;
    }

    long peek(long space, long va) {
        byte[] b = new byte[8];
        assertEquals(KERN_SUCCESS, pv.space(space).copyin(va, b));
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Test
    void ringThreeStoresFaultPagesInThroughVmFault() {
        long as = hc(HC_VMSPACE_CREATE);
        int n = 40;
        long data = hc(HC_MMAP, as, 0x1000_0000L, n * 4096L, VM_PROT_RW, VmSpace.MAP_PRIVATE | VmSpace.MAP_ANON);
        long code = mapCode(as, touchPages(data, n));
        hc(HC_ACTIVATE, as);
        Sregs.setLongMode(cpu, 3, pv.space(as).pmap().cr3(), code, 0);
        cpu.cr2 = 0xC0FFEE000L;
        assertEquals(Cpu.Exit.BUDGET, cpu.run(10_000));
        pmap.checkInvariants();
        assertEquals(n, pv.faultsResolved, "one write fault per page, each restarted");
        assertEquals(0xC0FFEE000L, cpu.cr2, "CR2 is written only when a #PF is delivered (SDM vol. 3, 4.7)");
        assertEquals(0, pv.faultsToGuest);
        for (int i = 0; i < n; i++) assertEquals(n - i, peek(as, data + i * 4096L));
        assertEquals(n, vm.counters.zeroFill - 1, "plus the code page");
    }

    @Test
    void copyOnWriteFaultsFromGuestCodeKeepTheParentIntact() {
        long parent = hc(HC_VMSPACE_CREATE);
        int n = 8;
        long data = hc(HC_MMAP, parent, 0x1000_0000L, n * 4096L, VM_PROT_RW, VmSpace.MAP_PRIVATE | VmSpace.MAP_ANON);
        long code = mapCode(parent, touchPages(data, n));
        for (int i = 0; i < n; i++) assertEquals(KERN_SUCCESS, pv.space(parent).copyout(data + i * 4096L, new byte[]{(byte) (0x50 + i)}));
        long child = hc(HC_FORK, parent);
        hc(HC_ACTIVATE, parent);
        cpu.flushTlb(true);
        hc(HC_ACTIVATE, child);
        Sregs.setLongMode(cpu, 3, pv.space(child).pmap().cr3(), code, 0);
        assertEquals(Cpu.Exit.BUDGET, cpu.run(10_000));
        pmap.checkInvariants();
        assertEquals(n, vm.counters.cowFaults, "each store copied its page");
        for (int i = 0; i < n; i++) {
            assertEquals(n - i, peek(child, data + i * 4096L));
            assertEquals(0x50 + i, peek(parent, data + i * 4096L), "the parent keeps its data");
        }
    }

    @Test
    void anUnresolvableFaultReachesTheGuestIdtWithCr2AndErrorCode() {
        long handler = kernelHandlerPage();
        long as = hc(HC_VMSPACE_CREATE);
        // mov rax, [0x7000_0000] ; jmp $   (nothing is mapped there)
        byte[] code = {0x48, (byte) 0xA1, 0, 0, 0, 0x70, 0, 0, 0, 0, (byte) 0xEB, (byte) 0xFE};
        long cva = mapCode(as, code);
        hc(HC_ACTIVATE, as);
        Sregs.setLongMode(cpu, 3, pv.space(as).pmap().cr3(), cva, 0);
        setUpIdt(handler);
        assertEquals(Cpu.Exit.HALTED, cpu.run(10_000));
        assertEquals(0x7000_0000L, cpu.cr2);
        assertEquals(1, pv.faultsToGuest);
        long err = mem.read64(KSTACK_TOP - 8 * 5 - 8);
        assertEquals(0x4, err, "user-mode read of a not-present page");
        assertEquals(cva, mem.read64(KSTACK_TOP - 8 * 5), "the faulting instruction's RIP");
    }

    @Test
    void vmcallFromTheGuestKernelFollowsTheAbi() {
        long kcode = kernelPageWith(new byte[]{
            (byte) 0xB8, 0x00, 0x01, 0, 0,                      // mov eax, HC_VMSPACE_CREATE
            0x0F, 0x01, (byte) 0xC1,                            // vmcall
            0x48, (byte) 0x89, (byte) 0xD3,                     // mov rbx, rdx (the handle)
            (byte) 0xB8, 0x34, 0x12, 0, 0,                      // mov eax, 0x1234 (unknown)
            0x0F, 0x01, (byte) 0xC1,                            // vmcall
            (byte) 0xEB, (byte) 0xFE});                         // jmp $
        Sregs.setLongMode(cpu, 0, pmap.kernelPmap().cr3(), kcode, AmdPmapModule.physToDmap(KSTACK_TOP));
        assertEquals(Cpu.Exit.BUDGET, cpu.run(100));
        assertEquals(KVM_ENOSYS, cpu.r[0]);
        assertNotNull(pv.space(cpu.r[3]), "the handle came back in RDX");
        cpu.hypervisor = null;
        Sregs.setLongMode(cpu, 0, pmap.kernelPmap().cr3(), kcode, AmdPmapModule.physToDmap(KSTACK_TOP));
        setUpIdt(kernelHandlerPage());
        assertEquals(Cpu.Exit.HALTED, cpu.run(100), "without a hypervisor VMCALL is #UD");
    }

    @Test
    void badHypercallArgumentsChangeNothing() {
        long[] out = {0};
        assertEquals(KERN_INVALID_ARGUMENT, pv.call(0, HC_MMAP, 99, 0, 4096, 1, 0x1002, out), "no such space");
        long as = hc(HC_VMSPACE_CREATE);
        assertEquals(KERN_INVALID_ARGUMENT, pv.call(0, HC_MMAP, as, 0, 0, 1, 0x1002, out));
        assertEquals(KERN_INVALID_ARGUMENT, pv.call(0, HC_MPROTECT, as, 0x1001, 4096, 1, 0, out));
        assertTrue(pv.space(as).entries().isEmpty());
        Sregs.setLongMode(cpu, 3, pv.space(as).pmap().cr3(), 0x1000, 0);
        assertEquals(KVM_EPERM, pv.vmcall(cpu), "only the guest kernel may call");
    }

    /** A kernel-text page (executable, supervisor) in the kernel map holding {@code code}. */
    private long kernelPageWith(byte[] code) {
        long kva = 0xFFFF_FE00_0000_0000L + 0x10_0000L * (++kpages);
        pmap.growkernel(kva + 4096);
        VmPage m = vm.phys().allocWait();
        mem.writeBytes(m.phys, code);
        assertEquals(KERN_SUCCESS, pmap.kernelPmap().enter(kva, m, VM_PROT_READ | VM_PROT_EXECUTE, 0, 0));
        return kva;
    }

    private int kpages;

    private long kernelHandlerPage() { return kernelPageWith(new byte[]{(byte) 0xF4, (byte) 0xEB, (byte) 0xFD}); } // hlt; jmp hlt

    /** GDT (64-bit kernel code at 0x08), IDT with every vector at {@code handler}, TSS with RSP0, through the direct map. */
    private void setUpIdt(long handler) {
        long dmap = AmdPmapModule.physToDmap(0);
        mem.write64(GDT + 8, 0x00AF_9A00_0000_FFFFL);
        mem.write64(GDT + 16, 0x00CF_9200_0000_FFFFL);
        for (int v = 0; v < 32; v++) {
            long lo = (handler & 0xFFFF) | (0x08L << 16) | (0x8EL << 40) | (((handler >>> 16) & 0xFFFF) << 48);
            mem.write64(IDT + v * 16L, lo);
            mem.write64(IDT + v * 16L + 8, handler >>> 32);
        }
        mem.write64(TSS + 4, dmap + KSTACK_TOP);
        cpu.gdtrBase = dmap + GDT;
        cpu.gdtrLimit = 0xFF;
        cpu.idtrBase = dmap + IDT;
        cpu.idtrLimit = 0x1FF;
        cpu.trBase = dmap + TSS;
        cpu.trLimit = 0x67;
    }
}
