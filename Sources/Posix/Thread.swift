#if canImport(Glibc)
import Glibc
#endif

/// A closure running on its own new pthread, joined by `join()` (or, if never joined, when the value goes away).
/// Plain pthreads, no async and no Dispatch: a thread that enters a network namespace (`setns` is per thread) is
/// never reused, and the calling thread keeps its own namespace. The one helper behind `BackgroundTask`, `NetNS.run`
/// and `NetNS.start`.
public struct JoinableThread: ~Copyable {
    private let handle: pthread_t

    /// Starts `body` on a new thread; throws `pthread_create`'s error (the body then never runs).
    public init(_ body: @escaping () -> Void) throws(Errno) {
        // The thread gets a retained, type-erased closure: no dynamic cast in the entry point.
        let argument = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        var handle = pthread_t()
        let created = pthread_create(&handle, nil, joinableThreadMain, argument)
        guard created == 0 else {
            Unmanaged<ThreadBody>.fromOpaque(argument).release()  // the thread never took its reference
            throw Errno(created)
        }
        self.handle = handle
    }

    /// Runs `body` on a new thread and waits for it: for work that must not change the calling thread's state.
    public static func run(_ body: () -> Void) throws(Errno) {
        try withoutActuallyEscaping(body) { (body) throws(Errno) in try JoinableThread(body).join() }
    }

    /// Waits for the body to return. Everything it wrote is visible afterwards (`pthread_join` orders the accesses).
    public consuming func join() {
        Self.join(handle)
        discard self
    }

    /// Never joined: joins here, unless the last owner went away on the thread itself (a task released by its own
    /// body), which cannot join itself and detaches instead.
    deinit {
        if pthread_equal(handle, pthread_self()) != 0 {
            _ = pthread_detach(handle)
        } else {
            Self.join(handle)
        }
    }

    private static func join(_ handle: pthread_t) {
        let joined = pthread_join(handle, nil)
        precondition(joined == 0, "pthread_join failed: \(joined)")  // only EDEADLK/EINVAL/ESRCH: a bug here
    }
}

/// What the new thread runs; the thread holds the one retained reference until the body has returned.
private final class ThreadBody {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}

private func joinableThreadMain(_ argument: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    Unmanaged<ThreadBody>.fromOpaque(argument!).takeRetainedValue().run()
    return nil
}

/// A pthread mutex for state that more than one thread reaches. A class: a mutex must not move once initialised.
public final class ThreadLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    public init() { pthread_mutex_init(mutex, nil) }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the mutex held. Not reentrant: `body` must not take this lock again.
    public func withLock<R: ~Copyable, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        lock()
        defer { unlock() }
        return try body()
    }

    /// For a critical section that moves a non-copyable value in or out (a closure cannot consume what it captures);
    /// pair with `unlock()` through `defer`.
    public func lock() { pthread_mutex_lock(mutex) }

    public func unlock() { pthread_mutex_unlock(mutex) }
}
