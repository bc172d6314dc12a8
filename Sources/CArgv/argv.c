// The command line for the Swift runtime, captured at start-up instead of searched for.
//
// The statically linked Swift runtime finds argv for `CommandLine` with a global constructor in its
// CommandLine.cpp: it opens /proc/self/maps, parses every line with sscanf to find the stack, and walks back from
// `environ`. That runs in every process before main (plus the kernel formatting the maps file), although no plugin
// reads CommandLine.
//
// Defining the two functions that object file provides keeps the linker from taking it out of libswiftCore.a, so
// the constructor is gone. glibc passes (argc, argv, envp) to every .init_array function, static or dynamic, so
// the arguments are simply remembered here. If a future toolchain adds symbols to that object file, the link
// fails with duplicate definitions rather than silently doing something else.
#include <stddef.h>

static int captured_argc;
static char **captured_argv;
static int override_argc;
static char **override_argv;

static void capture_arguments(int argc, char **argv, char **envp) {
    (void)envp;
    captured_argc = argc;
    captured_argv = argv;
}

__attribute__((used, section(".init_array"))) static void (*const capture_arguments_entry)(int, char **, char **) =
    capture_arguments;

__attribute__((swiftcall)) char **_swift_stdlib_getUnsafeArgvArgc(int *outArgLen) {
    static char *empty[] = {NULL};
    if (override_argv != NULL) {
        *outArgLen = override_argc;
        return override_argv;
    }
    if (captured_argv == NULL) {
        *outArgLen = 0;
        return empty;
    }
    *outArgLen = captured_argc;
    return captured_argv;
}

__attribute__((swiftcall)) void _swift_stdlib_overrideUnsafeArgvArgc(char **argv, int argc) {
    override_argv = argv;
    override_argc = argc;
}
