internal import CPosix
import Posix

#if canImport(Glibc)
import Glibc
#endif

/// Work handed to the helper thread (`JoinableThread`); `run` joins the thread before reading `enterError`, so the
/// join orders every access.
private final class NamespaceTask: @unchecked Sendable {
    let fd: Int32
    let work: () -> Void
    var enterError: Errno?

    init(fd: Int32, work: @escaping () -> Void) {
        self.fd = fd
        self.work = work
    }
}

/// The helper thread's body: enter the namespace, run the work. The thread is never reused, so it never has to switch
/// back (as Go's `ns.Do` locks and then discards a thread whose switch-back fails).
private func enterAndRun(_ task: NamespaceTask) {
    guard setns(task.fd, cni_clone_newnet()) == 0 else {
        task.enterError = Errno.current
        return
    }
    task.work()
}

/// `NS_GET_NSTYPE` from <linux/nsfs.h>: `_IO(0xb7, 0x3)`.
private let namespaceTypeRequest: UInt = 0xb703

/// Whether `fd` refers to a network namespace: `ioctl(NS_GET_NSTYPE)` returns the namespace's CLONE_NEW* type
/// for nsfs files (also bind mounts such as /run/netns/<name>) and fails with ENOTTY for anything else.
func isNetworkNamespace(_ fd: Int32) -> Bool {
    ioctl(fd, namespaceTypeRequest, 0) == cni_clone_newnet()
}

extension NetNS {
    /// Runs `body` synchronously in this network namespace and returns its result.
    ///
    /// `body` runs on a new pthread that first calls `setns(fd, CLONE_NEWNET)`; the calling thread is blocked until
    /// it finishes and never changes namespace, so it is always left where it was, also when `body` throws.
    /// Sockets opened inside `body` belong to this namespace and stay there. Threads that `body` starts inherit the
    /// namespace. Do not use async code inside `body`.
    ///
    /// Errors thrown by `body` are rethrown unchanged; failing to create the thread or to enter the namespace throws
    /// `NetNSError.threadFailed` / `.enterFailed`. The corresponding C calls are `pthread_create`, `setns` and
    /// `pthread_join` (the thread: `JoinableThread`).
    public func run<T>(_ body: () throws -> T) throws -> T {
        var outcome: Result<T, any Error>?
        try withoutActuallyEscaping(body) { (body) throws(NetNSError) in
            let task = NamespaceTask(fd: fd) { outcome = Result { try body() } }
            try Self.runOnNewThread(task, path: path)
        }
        guard let outcome else { preconditionFailure("namespace thread finished without a result") }
        return try outcome.get()
    }

    private static func runOnNewThread(_ task: NamespaceTask, path: String) throws(NetNSError) {
        do { try JoinableThread.run { enterAndRun(task) } } catch { throw .threadFailed(error) }
        if let error = task.enterError { throw .enterFailed(error, path: path) }
    }
}

/// `NetNS.start`'s work in flight: `wait()` joins the thread and returns what the body returned or threw.
public final class NamespaceThread<T>: @unchecked Sendable {
    private let path: String
    private let task: NamespaceTask
    private let result: OutcomeBox<T>
    private var thread: JoinableThread?

    /// Takes ownership of `fd` (closed after the join, or here if the thread cannot be created).
    fileprivate init(fd: Int32, path: String, _ body: @escaping () throws -> T) throws(NetNSError) {
        let result = OutcomeBox<T>()
        (self.path, self.result) = (path, result)
        task = NamespaceTask(fd: fd) { result.outcome = Result { try body() } }
        do {
            thread = try JoinableThread { [task] in enterAndRun(task) }
        } catch {
            _ = close(fd)  // our read-only duplicate
            throw .threadFailed(error)
        }
    }

    /// Joins the thread (once); rethrows the body's error, or `.enterFailed` if the namespace could not be entered.
    public func wait() throws -> T {
        switch thread.take() {
        case .some(let started):
            started.join()
            _ = close(task.fd)  // our read-only duplicate of the namespace descriptor
        case .none: break
        }
        if let error = task.enterError { throw NetNSError.enterFailed(error, path: path) }
        guard let outcome = result.outcome else { preconditionFailure("namespace thread finished without a result") }
        return try outcome.get()
    }
}

/// Where the thread leaves the body's outcome; read only after `pthread_join`.
private final class OutcomeBox<T>: @unchecked Sendable {
    var outcome: Result<T, any Error>?
}

extension NetNS {
    /// Starts `body` in this network namespace on a new thread and returns at once; `wait()` on the result joins
    /// it. Like `run`, the calling thread never changes namespace. The thread works on its own duplicate of the
    /// namespace descriptor, so `self` may go away before `wait()`. The corresponding C calls are `dup`,
    /// `pthread_create`, `setns` and `pthread_join`.
    public func start<T>(_ body: @escaping () throws -> T) throws(NetNSError) -> NamespaceThread<T> {
        let copy = dup(fd)
        guard copy >= 0 else { throw .openFailed(Errno.current, path: path) }
        return try NamespaceThread(fd: copy, path: path, body)
    }
}
