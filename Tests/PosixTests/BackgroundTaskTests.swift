import Posix
import Testing

@Suite struct BackgroundTaskTests {
    struct Failed: Error, Equatable {}

    @Test func resultAndErrorComeBackOnWait() throws {
        #expect(try BackgroundTask { 6 * 7 }.wait() == 42)
        #expect(throws: Failed()) { try BackgroundTask<Int> { throw Failed() }.wait() }
        let task = BackgroundTask { "once" }
        #expect(try task.wait() == "once" && task.wait() == "once")  // joined once, the outcome kept
    }

    /// A value handed over before the task ends reaches the waiter; without one, closing wakes it with nil.
    @Test func mailboxHandsOverOneValueOrNone() throws {
        let box = Mailbox<Int>()
        let release = Mailbox<Void>()
        let task = BackgroundTask {
            box.put(1)
            box.put(2)  // the first one wins
            _ = release.take()  // still running while the waiter has its value
            box.close()
        }
        #expect(box.take() == 1)
        release.put(())
        try task.wait()
        #expect(box.take() == 1)

        let empty = Mailbox<Int>()
        let closer = BackgroundTask { empty.close() }
        #expect(empty.take() == nil)
        try closer.wait()
    }
}
