import CPosix

#if canImport(Glibc)
import Glibc
#endif

/// What a finished child process left behind.
public struct SpawnResult: Sendable {
    /// Exit code, or 128 + signal number when the child was killed.
    public var exitCode: Int32
    public var stdout: [UInt8]
    public var stderr: [UInt8]

    public init(exitCode: Int32, stdout: [UInt8], stderr: [UInt8]) {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// Runs a program with `posix_spawn` (no fork of a Swift process, no threads): stdin from
/// bytes, stdout and stderr captured through pipes, drained with `poll` so neither side blocks.
public enum Spawn {
    /// - Parameters:
    ///   - path: absolute path of the executable (no PATH search).
    ///   - arguments: argv, including argv[0].
    ///   - environment: `KEY=VALUE` entries, passed as the child's whole environment.
    ///   - stdin: bytes written to the child's standard input, which is then closed.
    ///   - pinned: start the child on the calling thread's CPU (see `spawn`), for a caller on a hot path whose
    ///     measurements show it pays (docs/PERFORMANCE.md); otherwise the scheduler places it.
    ///   - onStdout: called with everything the child has written to stdout so far, after each read.
    public static func run(
        path: String, arguments: [String], environment: [String], stdin input: [UInt8], pinned: Bool = false,
        onStdout: (([UInt8]) -> Void)? = nil
    ) throws(Errno) -> SpawnResult {
        try spawn(path: path, arguments: arguments, environment: environment, pinned: pinned)
            .finish(stdin: input, onStdout: onStdout)
    }

    /// Starts the program now and leaves its standard input open: the child runs its start-up (exec, dynamic
    /// loading, runtime initialisation) while the caller is still preparing what to send it. `finish` sends stdin
    /// and collects the result; `kill` ends a child that must not get any input. One of the two must be called.
    ///
    /// The caller goes on working meanwhile, so the child is kept off the caller's CPU until `finish` (on a 2-CPU node
    /// the scheduler otherwise often left it on the parent's CPU, and the parent, woken after the child's exec, then
    /// waited up to 0.9 ms behind the child's start-up while the other CPU idled).
    public static func start(path: String, arguments: [String], environment: [String]) throws(Errno) -> Child {
        try spawn(path: path, arguments: arguments, environment: environment, pinned: false)
    }

    /// `pinned`: the child starts on the calling thread's CPU (for a caller that waits for it right away, see below);
    /// otherwise it is moved off that CPU until `finish`.
    private static func spawn(path: String, arguments: [String], environment: [String], pinned pin: Bool)
        throws(Errno) -> Child
    {
        // A child that exits without reading all of stdin (a failing IPAM script, `nft`) must make write() fail
        // with EPIPE, which `pump` handles, instead of killing this process with SIGPIPE.
        ignoreBrokenPipes
        let inPipe = try makePipe()
        let outPipe = try makePipe()
        let errPipe = try makePipe()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe.read, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe.write, 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe.write, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        resetSignals(&attributes)

        // The new child inherits the calling thread's CPU affinity. Pinned to the CPU this thread runs on, it starts
        // right there (this thread sleeps until the child has exec'd, vfork-style) instead of being queued behind
        // another busy thread of ours: on a 2-CPU node the scheduler put the IPAM child behind the pod-side netlink
        // thread, 0.4 ms before it even reached exec (A/B, 60 bridge ADDs each: 0.2-0.4 ms faster median). Both get
        // the original mask back once the child runs its own program.
        var pid: pid_t = 0
        var saved = cni_cpu_mask()
        let pinned = pin && cni_pin_thread_to_current_cpu(&saved) == 0
        let status = withCStrings(arguments) { argv in
            withCStrings(environment) { envp in posix_spawn(&pid, path, &actions, &attributes, argv, envp) }
        }
        if pinned {
            _ = cni_set_affinity(0, &saved)
            if status == 0 { _ = cni_set_affinity(pid, &saved) }
        }
        for fd in [inPipe.read, outPipe.write, errPipe.write] { _ = close(fd) }  // the child has its copies
        guard status == 0 else {
            for fd in [inPipe.write, outPipe.read, errPipe.read] { _ = close(fd) }
            throw Errno(status)
        }
        var child = Child(pid: pid, stdin: inPipe.write, stdout: outPipe.read, stderr: errPipe.read)
        if !pin { child.movedOff = cni_move_off_current_cpu(pid, &child.mask) == 0 }
        return child
    }

    /// A started child whose standard input is still open.
    public struct Child: ~Copyable {
        let pid: pid_t
        let stdin: Int32, stdout: Int32, stderr: Int32
        /// Kept off the spawning CPU (`start`); `mask` is its own affinity, given back by `finish`.
        var movedOff = false
        var mask = cni_cpu_mask()

        init(pid: pid_t, stdin: Int32, stdout: Int32, stderr: Int32) {
            (self.pid, self.stdin, self.stdout, self.stderr) = (pid, stdin, stdout, stderr)
        }

        /// Writes `input` to the child's stdin, closes it, drains stdout and stderr, and waits for the exit.
        /// `onStdout` sees the stdout collected so far after each read (before the child has necessarily exited).
        public consuming func finish(stdin input: [UInt8], onStdout: (([UInt8]) -> Void)? = nil) -> SpawnResult {
            if movedOff { _ = cni_set_affinity(pid, &mask) }
            let (out, err) = Spawn.pump(input: input, to: stdin, from: stdout, and: stderr, onStdout: onStdout)
            let code = Spawn.wait(for: pid)
            discard self
            return SpawnResult(exitCode: code, stdout: out, stderr: err)
        }

        /// SIGKILL before the child got any input (it cannot have acted on a config it never read), then reaps it.
        public consuming func kill() {
            Spawn.terminate(pid, stdin: stdin, stdout: stdout, stderr: stderr)
            discard self
        }

        deinit { Spawn.terminate(pid, stdin: stdin, stdout: stdout, stderr: stderr) }
    }

    private static func terminate(_ pid: pid_t, stdin: Int32, stdout: Int32, stderr: Int32) {
        _ = Glibc.kill(pid, SIGKILL)
        for fd in [stdin, stdout, stderr] { _ = close(fd) }
        _ = wait(for: pid)
    }

    /// SIGPIPE ignored in this process, once; children get the default back (`resetSignals`).
    private static let ignoreBrokenPipes: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    /// The current process environment as `KEY=VALUE` entries, in order.
    public static func currentEnvironment() -> [String] {
        var entries: [String] = []
        guard var cursor = cni_environ() else { return entries }
        while let entry = cursor.pointee {
            entries.append(String(cString: entry))
            cursor += 1
        }
        return entries
    }

    /// The child starts with no blocked signals and default SIGPIPE/SIGCHLD handling, whatever the
    /// calling thread had: a mask inherited from a thread that blocks SIGCHLD (test runners' worker
    /// threads do) leaves a child shell unable to reap its own children.
    private static func resetSignals(_ attributes: inout posix_spawnattr_t) {
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        sigaddset(&defaults, SIGCHLD)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    }

    private static func makePipe() throws(Errno) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard pipe2(&fds, O_CLOEXEC) == 0 else { throw Errno.current }
        return (fds[0], fds[1])
    }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        let pointers = strings.map { strdup($0) }
        defer { for pointer in pointers { free(pointer) } }
        return body(pointers + [nil])
    }

    /// Feeds stdin and drains stdout/stderr until both reach EOF.
    fileprivate static func pump(
        input: [UInt8], to inFD: Int32, from outFD: Int32, and errFD: Int32, onStdout: (([UInt8]) -> Void)?
    ) -> ([UInt8], [UInt8]) {
        var out: [UInt8] = []
        var err: [UInt8] = []
        var inOpen = true
        var outOpen = true
        var errOpen = true
        var written = 0
        _ = fcntl(inFD, F_SETFL, fcntl(inFD, F_GETFL) | O_NONBLOCK)
        if input.isEmpty {
            _ = close(inFD)
            inOpen = false
        }
        // Not zero-filled (see FileSystem.readAll): a short result touches one page of it.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 16)
        defer { buffer.deallocate() }
        while outOpen || errOpen || inOpen {
            var fds: [pollfd] = []
            if inOpen { fds.append(pollfd(fd: inFD, events: Int16(POLLOUT), revents: 0)) }
            if outOpen { fds.append(pollfd(fd: outFD, events: Int16(POLLIN), revents: 0)) }
            if errOpen { fds.append(pollfd(fd: errFD, events: Int16(POLLIN), revents: 0)) }
            if poll(&fds, nfds_t(fds.count), -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            for p in fds where p.revents != 0 {
                if p.fd == inFD {
                    let n = input.withUnsafeBytes { write(inFD, $0.baseAddress! + written, input.count - written) }
                    if n > 0 { written += n }
                    if n < 0, errno == EAGAIN || errno == EINTR { continue }
                    if n < 0 || written == input.count {
                        _ = close(inFD)
                        inOpen = false
                    }
                } else {
                    let n = read(p.fd, buffer.baseAddress, buffer.count)
                    if n < 0, errno == EINTR || errno == EAGAIN { continue }
                    if n <= 0 {
                        _ = close(p.fd)
                        if p.fd == outFD { outOpen = false } else { errOpen = false }
                    } else if p.fd == outFD {
                        out.append(contentsOf: buffer[0..<n])
                        onStdout?(out)
                    } else {
                        err.append(contentsOf: buffer[0..<n])
                    }
                }
            }
        }
        return (out, err)
    }

    fileprivate static func wait(for pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return 127 }
        }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }
}
