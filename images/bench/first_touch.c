/*
 * first_touch: this Linux host's own first-touch page faults per second, the yardstick for
 * `vmm bench-vm` (which measures the same thing for a guest on vmm's pv fault path).
 *
 * Each repetition maps PAGES fresh anonymous pages, stores one byte to each (one minor fault per page:
 * the kernel allocates and zeroes a 4 KiB page and installs its PTE), and counts the faults with
 * getrusage(ru_minflt) around the timed loop. Transparent huge pages are turned off for the mapping
 * (MADV_NOHUGEPAGE), so every page is one 4 KiB fault, as in the guest benchmark.
 *
 * Usage: first_touch PAGES REPETITIONS
 * Prints one line per repetition: "faults F seconds S rate R" (R = F / S).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static long minflt(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: first_touch PAGES REPETITIONS\n");
        return 2;
    }
    long pages = atol(argv[1]), reps = atol(argv[2]);
    long pagesize = sysconf(_SC_PAGESIZE);
    if (pages < 1 || reps < 1) {
        fprintf(stderr, "first_touch: PAGES and REPETITIONS must be positive\n");
        return 2;
    }
    for (long r = 0; r < reps; r++) {
        size_t len = (size_t) pages * pagesize;
        volatile char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            perror("first_touch: mmap");
            return 1;
        }
        madvise((void *) p, len, MADV_NOHUGEPAGE); /* may fail without THP support: then there are none */
        long f0 = minflt();
        double t0 = now();
        for (long i = 0; i < pages; i++) p[i * pagesize] = (char) i;
        double t1 = now();
        long faults = minflt() - f0;
        munmap((void *) p, len);
        printf("faults %ld seconds %.6f rate %.0f\n", faults, t1 - t0, faults / (t1 - t0));
    }
    return 0;
}
