#ifndef CNI_POSIX_SHIM_H
#define CNI_POSIX_SHIM_H
/* glibc hides these without _GNU_SOURCE; declare what the plugins need. */
#include <sys/types.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sched.h>
#include <linux/sched.h>
#include <fcntl.h>

extern int setns(int fd, int nstype);
extern int pipe2(int pipefd[2], int flags);
extern int mkostemp(char *template_, int flags);
static inline int cni_clone_newnet(void) { return CLONE_NEWNET; }
static inline pid_t cni_gettid(void) { return (pid_t)syscall(SYS_gettid); }
/* O_TMPFILE is hidden without _GNU_SOURCE; the fallback is the kernel's value (asm-generic/fcntl.h). */
static inline int cni_o_tmpfile(void) {
#ifdef O_TMPFILE
    return O_TMPFILE;
#else
    return 020000000 | O_DIRECTORY;
#endif
}
/* AT_EMPTY_PATH, also hidden without _GNU_SOURCE (linux/fcntl.h). */
static inline int cni_at_empty_path(void) { return 0x1000; }
/* CPU affinity through the raw system calls (cpu_set_t and its macros need _GNU_SOURCE); 1024 CPUs, as glibc's. */
typedef struct { unsigned long bits[16]; } cni_cpu_mask;
#define CNI_MASK_WORD_BITS (8 * sizeof(unsigned long))
/* The CPU the calling thread runs on and `pid`'s current mask (0: the calling thread) into `saved`. 0 on success. */
static inline int cni_current_cpu_and_mask(pid_t pid, unsigned *cpu, cni_cpu_mask *saved) {
    if (syscall(SYS_getcpu, cpu, NULL, NULL) != 0 || *cpu >= 1024) return -1;
    return syscall(SYS_sched_getaffinity, pid, sizeof *saved, saved) < 0 ? -1 : 0;
}
/* Restricts the calling thread to the CPU it is running on; `saved` receives the previous mask. 0 on success. */
static inline int cni_pin_thread_to_current_cpu(cni_cpu_mask *saved) {
    unsigned cpu = 0;
    if (cni_current_cpu_and_mask(0, &cpu, saved) != 0) return -1;
    cni_cpu_mask one = {{0}};
    one.bits[cpu / CNI_MASK_WORD_BITS] = 1UL << (cpu % CNI_MASK_WORD_BITS);
    return (int)syscall(SYS_sched_setaffinity, 0, sizeof one, &one);
}
/* Keeps process `pid` off the CPU the calling thread runs on (when it may run anywhere else); `saved` receives its
   previous mask. 0 when the mask was changed. */
static inline int cni_move_off_current_cpu(pid_t pid, cni_cpu_mask *saved) {
    unsigned cpu = 0;
    if (cni_current_cpu_and_mask(pid, &cpu, saved) != 0) return -1;
    cni_cpu_mask others = *saved;
    others.bits[cpu / CNI_MASK_WORD_BITS] &= ~(1UL << (cpu % CNI_MASK_WORD_BITS));
    int any = 0;
    for (int i = 0; i < 16; i++) any |= others.bits[i] != 0;
    if (!any) return -1;
    return (int)syscall(SYS_sched_setaffinity, pid, sizeof others, &others);
}
/* pid 0: the calling thread. */
static inline int cni_set_affinity(pid_t pid, const cni_cpu_mask *mask) {
    return (int)syscall(SYS_sched_setaffinity, pid, sizeof *mask, mask);
}
extern char **environ;
static inline char **cni_environ(void) { return environ; }
#endif
