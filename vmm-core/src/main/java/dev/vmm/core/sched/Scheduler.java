package dev.vmm.core.sched;

/** Runs a machine's vCPUs until the machine stops. */
public interface Scheduler {
    /** Runs until {@link SchedulerHost#stopped()}. */
    void run(SchedulerHost host);

    /** Called by {@code Machine.stop()} from any thread, after the vCPUs were asked to stop. */
    default void wakeAll() { }

    /** Which scheduler {@code --scheduler} names. */
    enum Kind {
        DETERMINISTIC, PARALLEL;

        public static Kind parse(String s) {
            return switch (s.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "deterministic" -> DETERMINISTIC;
                case "parallel" -> PARALLEL;
                default -> throw new IllegalArgumentException("unknown scheduler '" + s + "': deterministic or parallel");
            };
        }
    }
}
