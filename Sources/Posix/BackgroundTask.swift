#if canImport(Glibc)
import Glibc
#endif

/// Runs one closure on its own pthread so that a slow, independent step overlaps with work on the calling thread:
/// exec'ing the IPAM plugin while the bridge does its netlink work (posix_spawn holds its caller until the child has
/// exec'd: a bridge ADD that spawned IPAM from the main thread instead was 0.5 ms slower, A/B, 100 calls each), or
/// fsyncing flannel's stored config while the delegate is started.
/// Plain pthreads, no async and no Dispatch: the calling thread keeps its network namespace, and the helper thread
/// never changes namespace either.
/// If the thread cannot be created the closure runs synchronously on the first `wait()`.
///
/// The outcome is kept as a value and an error rather than a `Result<T, any Error>`: instantiating that type made the
/// runtime search every protocol conformance in the binary (for `any Error: Error`) on the IPAM thread of each ADD.
public final class BackgroundTask<T>: @unchecked Sendable {
    private let body: () throws -> T
    private var value: T?
    private var failure: (any Error)?
    private var thread: pthread_t?

    public init(_ body: @escaping () throws -> T) {
        self.body = body
        // The thread gets a retained, type-erased closure: no dynamic cast back to the generic class.
        let run = Unmanaged.passRetained(ThreadBody { [self] in runBody() }).toOpaque()
        var handle = pthread_t()
        if pthread_create(&handle, nil, backgroundTaskMain, run) == 0 {
            thread = handle
        } else {
            Unmanaged<ThreadBody>.fromOpaque(run).release()  // the thread never took its reference
        }
    }

    /// Joins the thread (once) and returns the closure's result or rethrows its error.
    public func wait() throws -> T {
        if let thread {
            let joined = pthread_join(thread, nil)
            precondition(joined == 0, "pthread_join failed: \(joined)")  // only EDEADLK/EINVAL/ESRCH: a bug here
            self.thread = nil
        }
        if value == nil, failure == nil { runBody() }
        if let failure { throw failure }
        return value!
    }

    private func runBody() {
        do { value = try body() } catch { failure = error }
    }
}

/// What the helper thread runs; it keeps the task alive until the work is done.
private final class ThreadBody {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}

/// Thread entry: the body's retained reference is released when the work is done; `wait()` reads the outcome only
/// after `pthread_join`, which orders the accesses.
private func backgroundTaskMain(_ argument: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    Unmanaged<ThreadBody>.fromOpaque(argument!).takeRetainedValue().run()
    return nil
}

/// One value handed from a helper thread to a waiting one, or the news that none will come.
public final class Mailbox<T>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var value: T?
    private var closed = false

    public init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Stores the value (the first one wins) and wakes the waiter.
    public func put(_ newValue: T) {
        pthread_mutex_lock(mutex)
        if value == nil, !closed { value = newValue }
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    /// No value will come after this.
    public func close() {
        pthread_mutex_lock(mutex)
        closed = true
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    /// The value once there is one, or nil once closed without one.
    public func take() -> T? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while value == nil, !closed { pthread_cond_wait(condition, mutex) }
        return value
    }
}
