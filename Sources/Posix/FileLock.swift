#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on a file, held until the value is dropped.
///
/// Compatible with Go's go-filemutex (also `flock(LOCK_EX)`), so our plugins and the Go ones
/// serialize on the same file.
public struct FileLock: ~Copyable {
    private let fd: Int32

    /// Opens (creating if needed, unless `create` is false) `path` and takes `LOCK_EX`, polling for at most
    /// `timeoutMilliseconds`. Throws `Errno.timedOut` when the lock stays busy. O_NONBLOCK: a FIFO planted under that
    /// name fails instead of blocking the open. A lock file we create is never reached through a symlink (`ELOOP`):
    /// following it could create a file wherever it points, and replacing it would split the lock from the one other
    /// plugins hold. With `create` false (a namespace path such as `/proc/<pid>/ns/net`) links are followed.
    public init(path: String, create: Bool = true, timeoutMilliseconds: Int = 60_000) throws(Errno) {
        let flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | (create ? O_CREAT | O_NOFOLLOW : 0)
        let fd = try retryingOnInterrupt { open(path, flags, 0o600) }
        var waited = 0
        var delay = 1
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let error = Errno.current
            guard error == .wouldBlock || error == .interrupted else {
                _ = close(fd)
                throw error
            }
            if waited >= timeoutMilliseconds {
                _ = close(fd)
                throw Errno.timedOut
            }
            Clock.sleep(milliseconds: delay)
            waited += delay
            delay = min(delay * 2, 20)
        }
        self.fd = fd
    }

    deinit {
        _ = flock(fd, LOCK_UN)  // closing releases it anyway
        _ = close(fd)
    }
}

/// Time helpers (no Foundation).
public enum Clock {
    public static func sleep(milliseconds: Int) {
        var request = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0, errno == EINTR { request = remaining }
    }

    /// Monotonic time in nanoseconds.
    public static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Wall-clock seconds since the epoch.
    public static func now() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int(ts.tv_sec)
    }
}
