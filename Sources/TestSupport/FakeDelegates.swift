public import CNI
public import Delegate
public import JSON
import Posix

/// A `DelegateRunner` for tests: no program runs. It records every delegate call (type, command, stdin), every kill
/// and prestart, and answers from per-command tables: `failures` (a delegate's error, thrown unchanged) and
/// `outputs` (stdout; `[]` when absent). Safe to use from the plugins' helper threads.
public final class FakeDelegates: DelegateRunner, @unchecked Sendable {
    public struct Call: Sendable {
        public var type: String
        public var command: Command
        public var stdin: [UInt8]
        public var json: JSONObject { (try? JSONValue.parse(stdin))?.objectValue ?? [:] }
    }

    private let lock = ThreadLock()
    private var recorded: [Call] = []
    private var killed: [String] = []
    private var prestarted: [String] = []
    public var failures: [Command: CNIError] = [:]
    public var outputs: [Command: [UInt8]] = [:]
    /// What `about` answers (ours by default; nil plays a delegate that cannot be run).
    public var aboutText: String?

    public init(outputs: [Command: [UInt8]] = [:], aboutText: String? = nil) {
        (self.outputs, self.aboutText) = (outputs, aboutText)
    }

    /// Finished calls, in order.
    public var calls: [Call] { locked { recorded } }
    public var commands: [Command] { calls.map(\.command) }
    /// Types of started delegates killed before they got input.
    public var kills: [String] { locked { killed } }
    public var prestarts: [String] { locked { prestarted } }

    public func resolve(_ type: String, _ command: Command, for call: Invocation) throws(CNIError) -> DelegatePlugin {
        DelegatePlugin(type: type, command: command, program: "fake/" + type, environment: [], output: call.output)
    }

    public func start(_ plugin: DelegatePlugin, now: Bool) throws(CNIError) -> any DelegateProcess {
        Process(plugin, self)
    }

    public func prestart(_ type: String, _ command: Command, environment: Environment) {
        locked { prestarted.append(type) }
    }

    public func about(_ type: String, for call: Invocation) -> String? { aboutText }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    private final class Process: DelegateProcess {
        let plugin: DelegatePlugin
        let runner: FakeDelegates

        init(_ plugin: DelegatePlugin, _ runner: FakeDelegates) { (self.plugin, self.runner) = (plugin, runner) }

        func finish(stdin: [UInt8], onStdout: (([UInt8]) -> Void)?) throws(CNIError) -> [UInt8] {
            let command = plugin.command
            let (failure, output) = runner.locked {
                runner.recorded.append(Call(type: plugin.type, command: command, stdin: stdin))
                return (runner.failures[command], runner.outputs[command] ?? [])
            }
            if let failure { throw failure }
            onStdout?(output)
            return output
        }

        func kill() { runner.locked { runner.killed.append(plugin.type) } }
    }
}
