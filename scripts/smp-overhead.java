// scripts/smp-overhead.java -- the cost of idle vCPUs: runs the benchmark kernel with --smp 1 and --smp 4
// (the APs never started) under the deterministic scheduler and compares MIPS measured in the running
// thread's CPU time, which a loaded host disturbs far less than wall time.
// Usage: ./vmm --version && java -cp vmm-console/target/vmm.jar scripts/smp-overhead.java [ITERS [REPEATS]]
import dev.vmm.core.*;
import dev.vmm.images.ImageCatalog;
import java.lang.management.*;
import java.nio.*;
public class Bench {
  public static void main(String[] a) throws Exception {
    byte[] img = ImageCatalog.find("bench").orElseThrow().clone();
    ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN).putLong(0x20, a.length > 0 ? Long.parseLong(a[0]) : 300000);
    ThreadMXBean tm = ManagementFactory.getThreadMXBean();
    double[] best = new double[65];
    for (int rep = 0; rep < (a.length > 1 ? Integer.parseInt(a[1]) : 5); rep++) {
      for (int smp : new int[] {1, 4}) {
        try (Machine m = new Machine(new MachineConfig(256L << 20, "", java.util.List.of(), smp), java.io.OutputStream.nullOutputStream(), null)) {
          m.loadMultiboot("bench", img);
          long c0 = tm.getCurrentThreadCpuTime(), w0 = System.nanoTime();
          m.run();
          long c1 = tm.getCurrentThreadCpuTime(), w1 = System.nanoTime();
          double mips = m.instructionsExecuted() / ((c1 - c0) / 1e3);
          best[smp] = Math.max(best[smp], mips);
          System.out.printf("rep %d smp %d: %d instructions, cpu %.3f s, wall %.3f s, %.1f MIPS (cpu time)%n", rep, smp, m.instructionsExecuted(), (c1-c0)/1e9, (w1-w0)/1e9, mips);
        }
      }
    }
    System.out.printf("best: smp1 %.1f MIPS, smp4 %.1f MIPS, ratio %.3f%n", best[1], best[4], best[4] / best[1]);
  }
}
