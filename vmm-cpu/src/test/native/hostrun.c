/*
 * Runs instruction sequences on the host CPU for the differential tests (HostDifferentialTest).
 *
 * Protocol, one case per line on stdin, one result line per case on stdout (all numbers hex):
 *   in:  MODE CODEBYTES RAX RCX RDX RBX RSP RBP RSI RDI R8 .. R15 RFLAGS XMM0LO XMM0HI .. XMM15HI
 *   out: RAX .. R15 RFLAGS x XMM0LO XMM0HI .. XMM15HI MXCSR FCW FSW FTW [OFFSET=BYTE ...]
 *                                                registers, RFLAGS, the SSE registers, MXCSR and the
 *                                                x87 control, status and abridged tag words after the
 *                                                sequence, then every byte of the memory window that
 *                                                differs from the pattern
 *   or:  F SIGNAL                                the sequence raised a fault (SIGFPE, SIGSEGV, SIGILL...)
 * MODE is 64 or 32 (compatibility mode, entered with a far jump through the user 32-bit code selector).
 * Code runs at 0x100000; the memory window 0x200000-0x201FFF is refilled with a fixed pattern before
 * each case (the Java side uses the same pattern). Addresses are fixed so that the interpreter can run
 * the very same bytes at the very same addresses.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define CODE_BASE 0x100000UL
#define WINDOW_BASE 0x200000UL
#define WINDOW_SIZE 0x2000UL
#define SLOT_BASE 0x300000UL

/* fx: an FXSAVE image, loaded with FXRSTOR64 before the case and stored with FXSAVE64 after it, so every
 * case starts from the same x87/SSE state (FNINIT's control words, MXCSR 1F80H, registers zero, XMM from
 * the input) whatever the C code or an earlier case left behind. */
struct state { uint64_t r[16]; uint64_t rflags; uint64_t pad; uint8_t fx[512]; } __attribute__((aligned(16)));

extern void run_case(struct state *s, int mode);
extern char case_return[];

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_signal;

static void on_fault(int sig) {
    fault_signal = sig;
    siglongjmp(fault_jmp, 1);
}

static void *map_fixed(unsigned long addr, unsigned long len, int prot) {
    void *p = mmap((void *) addr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != (void *) addr) { fprintf(stderr, "hostrun: cannot map %#lx\n", addr); exit(2); }
    return p;
}

/* The window's fixed pattern: byte i = (i * 151 + 7) mod 256 (WindowPattern.java mirrors it). */
static void fill_window(uint8_t *w) {
    for (unsigned long i = 0; i < WINDOW_SIZE; i++) w[i] = (uint8_t) (i * 151 + 7);
}

static int hexval(int ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

int main(void) {
    uint8_t *code = map_fixed(CODE_BASE, 0x1000, PROT_READ | PROT_WRITE | PROT_EXEC);
    uint8_t *window = map_fixed(WINDOW_BASE, WINDOW_SIZE, PROT_READ | PROT_WRITE);
    uint8_t *slot = map_fixed(SLOT_BASE, 0x1000, PROT_READ | PROT_WRITE | PROT_EXEC);
    uint64_t ret = (uint64_t) case_return;
    memcpy(slot, &ret, 8);
    static const uint8_t jmp_slot[] = {0xFF, 0x24, 0x25, 0x00, 0x00, 0x30, 0x00}; /* jmp *0x300000 */
    memcpy(slot + 0x10, jmp_slot, sizeof jmp_slot);

    static uint8_t altstack[65536];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fault;
    sa.sa_flags = SA_ONSTACK | SA_NODEFER;
    int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &sa, NULL);

    static char line[65536];
    static uint8_t pattern[WINDOW_SIZE];
    fill_window(pattern);
    while (fgets(line, sizeof line, stdin)) {
        char *p = line;
        int mode = (int) strtol(p, &p, 10);
        while (*p == ' ') p++;
        size_t n = 0;
        while (hexval(p[0]) >= 0 && hexval(p[1]) >= 0) { code[n++] = (uint8_t) (hexval(p[0]) << 4 | hexval(p[1])); p += 2; }
        if (mode == 64) {
            memcpy(code + n, jmp_slot, sizeof jmp_slot);
        } else { /* ljmp $0x33, $0x300010 */
            static const uint8_t far64[] = {0xEA, 0x10, 0x00, 0x30, 0x00, 0x33, 0x00};
            memcpy(code + n, far64, sizeof far64);
        }
        struct state s;
        for (int i = 0; i < 16; i++) s.r[i] = strtoull(p, &p, 16);
        s.rflags = strtoull(p, &p, 16);
        memset(s.fx, 0, sizeof s.fx);
        uint16_t fcw = 0x37F;
        uint32_t mxcsr = 0x1F80;
        memcpy(s.fx, &fcw, 2);
        memcpy(s.fx + 24, &mxcsr, 4);
        for (int i = 0; i < 32; i++) {
            uint64_t v = strtoull(p, &p, 16);
            memcpy(s.fx + 160 + 8 * i, &v, 8);
        }
        memcpy(window, pattern, WINDOW_SIZE);
        fault_signal = 0;
        if (sigsetjmp(fault_jmp, 1) == 0) {
            alarm(2);
            run_case(&s, mode);
            alarm(0);
        }
        if (fault_signal) { printf("F %d\n", fault_signal); continue; }
        for (int i = 0; i < 16; i++) printf("%llx ", (unsigned long long) s.r[i]);
        printf("%llx x", (unsigned long long) s.rflags);
        for (int i = 0; i < 32; i++) {
            uint64_t v;
            memcpy(&v, s.fx + 160 + 8 * i, 8);
            printf(" %llx", (unsigned long long) v);
        }
        uint16_t fcw2, fsw2;
        uint32_t mx2;
        memcpy(&fcw2, s.fx, 2);
        memcpy(&fsw2, s.fx + 2, 2);
        memcpy(&mx2, s.fx + 24, 4);
        printf(" %x %x %x %x", mx2, fcw2, fsw2, s.fx[4]);
        for (unsigned long i = 0; i < WINDOW_SIZE; i++) {
            if (window[i] != pattern[i]) printf(" %lx=%x", i, window[i]);
        }
        printf("\n");
    }
    return 0;
}
