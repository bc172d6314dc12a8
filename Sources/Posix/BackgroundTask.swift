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
    private var thread: JoinableThread?

    public init(_ body: @escaping () throws -> T) {
        self.body = body
        thread = try? JoinableThread { [self] in runBody() }
    }

    /// Joins the thread (once) and returns the closure's result or rethrows its error.
    public func wait() throws -> T {
        switch thread.take() {
        case .some(let started): started.join()
        case .none: break
        }
        if value == nil, failure == nil { runBody() }
        if let failure { throw failure }
        return value!
    }

    private func runBody() {
        do { value = try body() } catch { failure = error }
    }
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
