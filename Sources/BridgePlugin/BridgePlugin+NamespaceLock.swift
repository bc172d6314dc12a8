import CNI

extension BridgePlugin {
    /// Runs an ADD or DEL holding the pod's namespace lock (`NamespaceLock`, taken in `prepare` before host-local is
    /// prestarted), so the ADD and DEL of one pod, and the processes they start, never run side by side.
    func withNamespaceLock<T>(_ call: Invocation, _ body: () throws -> T) throws -> T {
        try NamespaceLock.hold(call)
        return try body()
    }
}
