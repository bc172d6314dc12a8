#if canImport(Glibc)
import Glibc
#endif

/// Runs one closure on its own pthread so that a slow, independent step (exec'ing the IPAM plugin) overlaps with
/// netlink work on the calling thread. Plain pthreads, no async and no Dispatch: the calling thread keeps its
/// network namespace, and the helper thread never changes namespace either (it only spawns a process).
/// If the thread cannot be created the closure runs synchronously on the first `wait()`.
final class BackgroundTask<T>: @unchecked Sendable {
    private let body: () throws -> T
    private var outcome: Result<T, any Error>?
    private var thread: pthread_t?

    init(_ body: @escaping () throws -> T) {
        self.body = body
        let context = Unmanaged.passRetained(self).toOpaque()
        var handle = pthread_t()
        if pthread_create(&handle, nil, backgroundTaskMain, context) == 0 {
            thread = handle
        } else {
            Unmanaged<BackgroundTask<T>>.fromOpaque(context).release()  // the thread never took its reference
        }
    }

    /// Joins the thread (once) and returns the closure's result or rethrows its error.
    func wait() throws -> T {
        if let thread {
            let joined = pthread_join(thread, nil)
            precondition(joined == 0, "pthread_join failed: \(joined)")  // only EDEADLK/EINVAL/ESRCH: a bug here
            self.thread = nil
        }
        if outcome == nil { outcome = Result { try body() } }
        return try outcome!.get()
    }

    fileprivate func execute() { outcome = Result { try body() } }
}

/// Thread entry: the task's retained reference is released when the work is done; `wait()` reads `outcome` only
/// after `pthread_join`, which orders the accesses.
private func backgroundTaskMain(_ argument: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let task = Unmanaged<AnyObject>.fromOpaque(argument!).takeRetainedValue()
    (task as? any BackgroundExecutable)?.run()
    return nil
}

private protocol BackgroundExecutable: AnyObject { func run() }
extension BackgroundTask: BackgroundExecutable { fileprivate func run() { execute() } }
