import Posix

/// The ADD and DEL of a pod, and every process they start, hold an exclusive `flock` on the pod's netns file
/// (`Posix.ProcessTreeLock`: children inherit it, it lasts until the last of them exits). A runtime that kills
/// flannel during an ADD leaves its `bridge` (and host-local, iptables-restore under it) running as orphans; the
/// runtime's recovery DEL starts at once. Without the lock that DEL could run before an orphan created the veth, the
/// reservation and the masquerade rules (all then left for good) or while it wrote them. With it, the DEL waits until
/// the killed call's last process is gone, then removes everything. flannel takes it before it starts its delegate,
/// bridge before it starts host-local; a delegate of ours finds its parent's descriptor and does not wait for it.
/// The lock is on the namespace's inode, shared by every path to it. A missing or unusable path takes no lock: ADD
/// then fails on the path as before, DEL has nothing in it to race for.
public enum NamespaceLock {
    public static let timeoutMilliseconds = 60_000

    /// For `prepare`: takes the lock for ADD and DEL before any child is started; failures are reported by `hold`.
    public static func take(_ command: Command, environment: Environment) {
        guard command == .add || command == .del, let path = environment["CNI_NETNS"], !path.isEmpty else { return }
        do { try ProcessTreeLock.hold(path, timeoutMilliseconds: timeoutMilliseconds) } catch {
            timedOut = error == .timedOut
        }
    }

    /// Makes sure the lock is held (at once when `take` got it); code 11 when another call kept it for too long.
    public static func hold(_ call: Invocation) throws(CNIError) {
        guard !call.netns.isEmpty else { return }
        if timedOut { throw busy(call.netns) }
        do {
            try ProcessTreeLock.hold(call.netns, timeoutMilliseconds: timeoutMilliseconds)
        } catch let error where error == .timedOut {
            throw busy(call.netns)
        } catch {
            return  // no usable path: nothing to lock
        }
    }

    private static func busy(_ netns: String) -> CNIError {
        CNIError(
            .tryAgainLater,
            "another ADD or DEL of a pod in \(netns) has held it for more than \(timeoutMilliseconds / 1000) s")
    }

    /// `take` waited in vain: `hold` reports it without waiting again (one command per process, main thread).
    nonisolated(unsafe) private static var timedOut = false
}
