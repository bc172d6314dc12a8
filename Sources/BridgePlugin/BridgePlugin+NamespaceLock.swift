import CNI
import Posix

extension BridgePlugin {
    /// Runs an ADD or DEL holding an exclusive `flock` on the pod's netns file, so the ADD and DEL of one pod never run
    /// side by side. A runtime that kills flannel during an ADD leaves flannel's `bridge` running as an orphan, and its
    /// recovery DEL starts at once: without the lock, that DEL could run before the orphan created the veth, the
    /// reservation and the masquerade rules (all left behind for good) or while it wrote them (the DEL then failed
    /// on rules that changed under it). With it, the DEL waits until the orphan has finished or rolled back. The lock
    /// is on the namespace's inode (every path to it shares it) and goes with the process that holds it. Without a
    /// usable path there is nothing to lock: ADD then fails on the path as before, DEL has no interface to race for.
    func withNamespaceLock<T>(_ call: Invocation, _ body: () throws -> T) throws -> T {
        guard !call.netns.isEmpty else { return try body() }
        let lock: FileLock
        do {
            lock = try FileLock(path: call.netns, create: false, timeoutMilliseconds: Self.namespaceLockTimeout)
        } catch where error == .timedOut {
            throw CNIError(.tryAgainLater, "another ADD or DEL of a pod in \(call.netns) has held it for more than "
                + "\(Self.namespaceLockTimeout / 1000) s")
        } catch {
            return try body()
        }
        let result = try body()
        _ = consume lock  // released after the whole command, rollback included
        return result
    }

    static let namespaceLockTimeout = 60_000
}
