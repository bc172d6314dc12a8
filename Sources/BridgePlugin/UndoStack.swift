/// Compensating actions for a command that creates things step by step.
///
/// Each step that creates something pushes how to remove it. If the command fails, `unwind()` (from a `defer`) runs
/// them newest first, so a failed ADD leaves nothing behind: no veth, no address, no rule, no IPAM reservation.
/// After `commit()` the stack is empty and `unwind()` does nothing.
struct UndoStack {
    /// Labels are built only when they are logged (a failed compensating action), not on every successful ADD.
    /// A struct, not a `(label, action)` tuple: an array of tuples needs its type metadata built at run time.
    private struct Entry {
        let label: () -> String
        let action: () throws -> Void
    }

    private var actions: [Entry] = []
    private let log: (String) -> Void

    /// `log` receives one line per compensating action that itself failed (stderr in the plugin).
    init(log: @escaping (String) -> Void) { self.log = log }

    /// Registers `action`, to run if the command fails later.
    mutating func push(_ label: @autoclosure @escaping () -> String, _ action: @escaping () throws -> Void) {
        actions.append(Entry(label: label, action: action))
    }

    /// The command succeeded: forget every compensating action.
    mutating func commit() { actions.removeAll() }

    /// Runs the compensating actions newest first. A failing one is logged and the rest still run: the error the
    /// caller reports is the one that made the command fail, not a cleanup error.
    mutating func unwind() {
        while let entry = actions.popLast() {
            do { try entry.action() } catch { log("rollback: \(entry.label()) failed: \(error)") }
        }
    }
}
