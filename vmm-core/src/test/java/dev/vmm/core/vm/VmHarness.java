package dev.vmm.core.vm;

import dev.vmm.core.pmap.TlbInvalidator;
import dev.vmm.core.pmap.amd64.AmdPmapModule;
import dev.vmm.mmu.Access;
import dev.vmm.mmu.PageWalker;
import dev.vmm.mmu.PagingMode;
import dev.vmm.mmu.PhysicalMemory;
import dev.vmm.mmu.WalkResult;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The VM layer over the amd64 pmap without vCPUs; page tables are read back with the hardware walker. */
final class VmHarness {
    static final int MODE = PagingMode.of(0x8001_0011L, (1 << 5) | (1 << 7), (1 << 8) | (1 << 10) | (1 << 11));
    final PhysicalMemory mem;
    final VmPhys phys;
    final VmSystem vm;
    final AmdPmapModule pmap;
    final PageWalker walker;

    VmHarness(long ram) {
        mem = new PhysicalMemory(ram);
        phys = new VmPhys(mem, 1L << 20, ram);
        vm = new VmSystem(phys);
        pmap = AmdPmapModule.install(vm, TlbInvalidator.NONE);
        walker = new PageWalker(mem);
    }

    void check() { pmap.checkInvariants(); }

    WalkResult walk(VmSpace s, long va, int acc) {
        WalkResult r = new WalkResult();
        walker.walk(s.pmap().cr3(), MODE, va, acc, true, false, r);
        return r;
    }

    boolean canRead(VmSpace s, long va) { return walk(s, va, Access.READ).ok(); }

    boolean canWrite(VmSpace s, long va) { return walk(s, va, Access.WRITE).ok(); }

    long mmap(VmSpace s, long addr, long len, int prot, int flags) {
        long[] out = {0};
        assertEquals(VmParam.KERN_SUCCESS, s.mmap(addr, len, prot, flags | VmSpace.MAP_ANON, out));
        check();
        return out[0];
    }

    void poke(VmSpace s, long va, long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) b[i] = (byte) (v >>> (8 * i));
        assertEquals(VmParam.KERN_SUCCESS, s.copyout(va, b));
        check();
    }

    long peek(VmSpace s, long va) {
        byte[] b = new byte[8];
        assertEquals(VmParam.KERN_SUCCESS, s.copyin(va, b));
        check();
        long v = 0;
        for (int i = 0; i < 8; i++) v |= (b[i] & 0xFFL) << (8 * i);
        return v;
    }

    int fault(VmSpace s, long va, int type) {
        int rv = VmFault.fault(s.map, va, type, 0);
        check();
        return rv;
    }
}
