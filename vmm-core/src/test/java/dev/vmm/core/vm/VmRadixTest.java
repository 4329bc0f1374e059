package dev.vmm.core.vm;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** vm_radix against a sorted map: the same pages found, removed and listed in order, at any index size. */
class VmRadixTest {
    @Test
    void agreesWithASortedMapUnderRandomInsertsAndRemovals() {
        Random rnd = new Random(8);
        VmRadix t = new VmRadix();
        TreeMap<Long, VmPage> ref = new TreeMap<>();
        for (int step = 0; step < 20_000; step++) {
            long idx = switch (rnd.nextInt(3)) {
                case 0 -> rnd.nextInt(2048);                 // one or a few leaves
                case 1 -> rnd.nextLong(1L << 27);            // three levels
                default -> rnd.nextLong(Long.MAX_VALUE);     // the full 63-bit range
            };
            if (ref.containsKey(idx) || rnd.nextInt(3) == 0) {
                assertSame(ref.remove(idx), t.remove(idx));
            } else {
                VmPage m = new VmPage(step, (long) step << 12);
                t.put(idx, m);
                ref.put(idx, m);
            }
            assertEquals(ref.size(), t.size());
            long probe = rnd.nextBoolean() ? idx : rnd.nextLong(1L << 27);
            assertSame(ref.get(probe), t.get(probe));
        }
        for (long[] r : new long[][]{{0, Long.MAX_VALUE}, {100, 1500}, {1L << 20, 1L << 26}, {5, 5}}) {
            List<VmPage> got = new ArrayList<>();
            t.collect(r[0], r[1], got);
            assertEquals(new ArrayList<>(ref.subMap(r[0], r[1]).values()), got, "range " + r[0] + ".." + r[1]);
        }
    }

    @Test
    void anOccupiedSlotIsRefusedAndEmptyingTheTreeResetsIt() {
        VmRadix t = new VmRadix();
        VmPage a = new VmPage(0, 0), b = new VmPage(1, 4096);
        t.put(1L << 40, a);
        assertThrows(IllegalStateException.class, () -> t.put(1L << 40, b));
        assertSame(a, t.remove(1L << 40));
        assertNull(t.get(1L << 40));
        assertEquals(0, t.size());
        t.put(3, b);
        assertSame(b, t.get(3));
        assertNull(t.get(-1));
    }
}
