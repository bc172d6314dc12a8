import Posix
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ThreadTests {
    /// The body runs on another thread, and what it wrote is visible after the join.
    @Test func runJoinsANewThread() throws {
        let caller = pthread_self()
        var ranElsewhere = false
        var value = 0
        try JoinableThread.run {
            ranElsewhere = pthread_equal(pthread_self(), caller) == 0
            value = 42
        }
        #expect(ranElsewhere && value == 42)
    }

    /// A started thread runs while the caller goes on, and `join` waits for it.
    @Test func startedThreadOverlapsUntilJoined() throws {
        let started = Mailbox<Void>()
        let proceed = Mailbox<Void>()
        let done = Counter()
        let thread = try JoinableThread {
            started.put(())
            _ = proceed.take()
            done.add(1)
        }
        _ = started.take()  // running, and blocked until the caller lets it go
        #expect(done.value == 0)
        proceed.put(())
        thread.join()
        #expect(done.value == 1)
    }

    /// A thread that is never joined explicitly is joined when its value goes away, also when the last owner is
    /// released on the thread itself (`BackgroundTask` whose body holds the task).
    @Test func droppedThreadIsJoined() throws {
        let done = Counter()
        do { _ = try JoinableThread { done.add(1) } }
        #expect(done.value == 1)
        for _ in 0..<50 { _ = BackgroundTask { done.add(1) } }  // released by its own thread: no self-join
        let last = BackgroundTask { done.add(1) }
        try last.wait()
    }

    /// Increments from many threads under the lock are all counted (without it, lost updates are likely).
    @Test func lockSerializesThreads() throws {
        let counter = Counter()
        var threads: [BackgroundTask<Void>] = []
        for _ in 0..<8 { threads.append(BackgroundTask { for _ in 0..<10_000 { counter.add(1) } }) }
        for thread in threads { try thread.wait() }
        #expect(counter.value == 80_000)
        let lock = ThreadLock()
        #expect(lock.withLock { 7 } == 7)
        struct Failed: Error, Equatable {}
        #expect(throws: Failed()) { try lock.withLock { () throws(Failed) in throw Failed() } }
        #expect(lock.withLock { true })  // released after the throw
    }
}

/// A counter whose every access holds a `ThreadLock`.
private final class Counter: @unchecked Sendable {
    private let lock = ThreadLock()
    private var count = 0
    func add(_ n: Int) { lock.withLock { count += n } }
    var value: Int { lock.withLock { count } }
}
