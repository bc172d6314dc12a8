import CNI
import Delegate
import Posix

/// IPAM ADD on a helper thread (overlapping the bridge and veth setup), whose result the ADD may use as soon as the
/// plugin has printed it: the IPAM process's exit (tearing down its memory) and the reaping then overlap
/// with the container and gateway setup. `confirm()` before the ADD commits waits for the exit status; if the
/// plugin failed after all, that error fails the ADD and the undo stack removes what was built on the result.
final class IPAMRequest: @unchecked Sendable {
    private let task: BackgroundTask<CNIResult>
    private let early: Mailbox<CNIResult>

    init(_ type: String, _ delegates: any DelegateRunner, _ call: Invocation) {
        let early = Mailbox<CNIResult>()
        self.early = early
        task = BackgroundTask {
            defer { early.close() }  // no early result will come: wake a waiter for the final one
            return try delegates.add(type, stdin: call.config.bytes, for: call, early: { early.put($0) })
        }
    }

    /// The result as soon as the plugin has printed one, else the final outcome (its error is thrown).
    func result() throws -> CNIResult {
        if let value = early.take() { return value }
        return try task.wait()
    }

    /// Waits for the plugin to exit; throws when it failed (an early result must not be committed then).
    func confirm() throws { _ = try task.wait() }

    /// Whether the plugin succeeded, waiting for it (the undo of a failed ADD releases an address only then).
    var succeeded: Bool { (try? task.wait()) != nil }
}
