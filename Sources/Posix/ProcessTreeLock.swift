#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` held by a process and every process it starts, until the last of them exits.
///
/// The descriptor is not close-on-exec, so children inherit it, and a `flock` belongs to the open file description,
/// not to a process: the lock stays held while any process of the tree is alive, also when the one that took it was
/// killed. A process that inherited such a descriptor for the same file uses it (its `flock` succeeds at once, the
/// lock being its parent's) instead of opening the file again, which would wait for its own parent.
public enum ProcessTreeLock {
    /// Takes the lock on the existing file at `path` for the rest of the process's life; polls for at most
    /// `timeoutMilliseconds` (`Errno.timedOut`). Taking it again in the same process returns at once.
    public static func hold(_ path: String, timeoutMilliseconds: Int) throws(Errno) {
        var target = stat()
        guard stat(path, &target) == 0 else { throw Errno.current }
        if held.contains(where: { $0 == (target.st_dev, target.st_ino) }) { return }
        let fd: Int32
        if let parents = inherited(matching: target) {
            fd = parents
        } else {
            fd = try retryingOnInterrupt { open(path, O_RDONLY | O_NONBLOCK) }  // not O_CLOEXEC: children inherit it
        }
        var waited = 0
        var delay = 1
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let error = Errno.current
            guard error == .wouldBlock || error == .interrupted else { throw error }
            if waited >= timeoutMilliseconds { throw Errno.timedOut }
            Clock.sleep(milliseconds: delay)
            waited += delay
            delay = min(delay * 2, 20)
        }
        held.append((target.st_dev, target.st_ino))
    }

    /// An open descriptor (from the parent) on the same file, if any.
    static func inherited(matching target: stat) -> Int32? {
        for name in (try? FileSystem.listDirectory("/proc/self/fd")) ?? [] {
            guard let fd = Int32(name), fd > 2 else { continue }
            var st = stat()
            if fstat(fd, &st) == 0, st.st_dev == target.st_dev, st.st_ino == target.st_ino { return fd }
        }
        return nil
    }

    /// Files locked by this process (one command per process: written by its main thread only).
    nonisolated(unsafe) private static var held: [(dev_t, ino_t)] = []
}
