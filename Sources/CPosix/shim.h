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
extern char **environ;
static inline char **cni_environ(void) { return environ; }
#endif
