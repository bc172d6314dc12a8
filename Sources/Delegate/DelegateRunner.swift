public import CNI
import JSON
import Posix

/// A delegated plugin (IPAM for bridge, bridge for flannel) resolved for one command: the program found in
/// `CNI_PATH` and the environment it runs with (the caller's, only `CNI_COMMAND` changed).
public struct DelegatePlugin: Sendable {
    public let type: String
    public let command: Command
    /// The program's path (a fake runner may put anything here).
    public let program: String
    /// `KEY=value` entries for the child.
    public let environment: [String]
    /// Where the plugin's stderr goes (the caller's stderr: delegates' logs are passed through).
    public let output: OutputSink

    public init(type: String, command: Command, program: String, environment: [String], output: OutputSink) {
        (self.type, self.command, self.program) = (type, command, program)
        (self.environment, self.output) = (environment, output)
    }
}

/// The one way to call a delegated plugin: `resolve` it, `start` it, then `finish` it with its stdin (or `kill` it
/// before it read any). Everything the plugins do with delegates (run to completion, ADD with its result parsed, ADD
/// whose result is used before the plugin exited, ADD whose stdin is prepared while the plugin starts) is written
/// once, in the extension below, on these two calls. `ExecDelegateRunner` runs real programs; tests use a fake
/// (TestSupport's `FakeDelegates`).
public protocol DelegateRunner: Sendable {
    /// Finds plugin `type` for `command` (CNI_PATH order) with the call's environment.
    func resolve(_ type: String, _ command: Command, for call: Invocation) throws(CNIError) -> DelegatePlugin

    /// Starts `plugin`: at once when `now` (its start-up then overlaps with the caller's work until `finish`), else
    /// when it is finished (an implementation chooses how). It reads no input before `finish`.
    func start(_ plugin: DelegatePlugin, now: Bool) throws(CNIError) -> any DelegateProcess

    /// Starts plugin `type` for `command` from the raw environment, before the caller has parsed its own config: a
    /// later `start` of the same program with the same environment takes it; anything else (another type, an error,
    /// no call) kills it before it read a byte. An implementation may do nothing (the default).
    func prestart(_ type: String, _ command: Command, environment: Environment)

    /// What plugin `type` says about itself when run without `CNI_COMMAND`: the skel convention's "about" text on
    /// stderr (`CNI bridge plugin (swift-cni-plugins) v1.0.0`, Debian's Go one: `CNI bridge plugin version
    /// unknown`). Nil when it cannot be found or run (the default).
    func about(_ type: String, for call: Invocation) -> String?
}

/// A started delegate. Exactly one of `finish` and `kill` is called, once.
public protocol DelegateProcess: AnyObject {
    /// Writes `stdin`, closes it, waits for the exit; `onStdout` sees stdout as it grows. Returns stdout when the
    /// plugin exits 0; otherwise throws its error JSON unchanged (or, without one, its text as an internal error).
    func finish(stdin: [UInt8], onStdout: (([UInt8]) -> Void)?) throws(CNIError) -> [UInt8]

    /// Kills the plugin before it read any input (it cannot have acted on a config it never got).
    func kill()
}

extension DelegateRunner {
    public func prestart(_ type: String, _ command: Command, environment: Environment) {}

    public func about(_ type: String, for call: Invocation) -> String? { nil }

    /// Runs plugin `type` with `command` and `stdin` to completion; returns its stdout.
    public func run(_ type: String, _ command: Command, stdin: [UInt8], for call: Invocation) throws(CNIError)
        -> [UInt8]
    {
        try start(try resolve(type, command, for: call), now: false).finish(stdin: stdin, onStdout: nil)
    }

    /// ADD through the delegate, its result parsed (any version).
    public func add(_ type: String, stdin: [UInt8], for call: Invocation) throws(CNIError) -> CNIResult {
        try add(type, stdin: stdin, for: call, early: { _ in })
    }

    /// ADD that also hands its parsed result to `early` as soon as the plugin has printed a complete one, before it
    /// has exited. The return value or error is still the final outcome: a caller that went ahead with the early
    /// result must undo its work when this throws.
    public func add(_ type: String, stdin: [UInt8], for call: Invocation, early: @escaping (CNIResult) -> Void)
        throws(CNIError) -> CNIResult
    {
        let reader = EarlyResult()
        let process = try start(try resolve(type, .add, for: call), now: false)
        let out = try process.finish(stdin: stdin) { output in
            if let parsed = reader.read(output) { early(parsed) }
        }
        return try reader.final(of: type, out)
    }

    /// Runs plugin `type` with the stdin that `prepare` returns, started before `prepare` runs so that its start-up
    /// overlaps with it; the plugin gets no input, and so does nothing, until `prepare` has returned, and is killed
    /// when `prepare` throws. Errors come in the order of the sequential `run(type, command, stdin: try prepare(),
    /// for:)`: when the plugin cannot be found or started at once, `prepare` runs first and the plugin is then
    /// started as `run` does (which reports why it cannot, or retries a busy binary).
    public func run(_ type: String, _ command: Command, for call: Invocation, stdinFrom prepare: () throws -> [UInt8])
        throws -> [UInt8]
    {
        try run(type, command, for: call, stdinFrom: prepare, onStdout: nil)
    }

    /// ADD with the stdin from `prepare` (see `run(_:_:for:stdinFrom:)`), its result parsed while the plugin exits.
    public func add(_ type: String, for call: Invocation, stdinFrom prepare: () throws -> [UInt8]) throws -> CNIResult {
        let reader = EarlyResult()
        let out = try run(type, .add, for: call, stdinFrom: prepare) { _ = reader.read($0) }
        return try reader.final(of: type, out)
    }

    private func run(
        _ type: String, _ command: Command, for call: Invocation, stdinFrom prepare: () throws -> [UInt8],
        onStdout: (([UInt8]) -> Void)?
    ) throws -> [UInt8] {
        let started = (try? resolve(type, command, for: call)).flatMap { try? start($0, now: true) }
        let input: [UInt8]
        do { input = try prepare() } catch {
            started?.kill()
            throw error
        }
        let process = try started ?? start(try resolve(type, command, for: call), now: false)
        return try process.finish(stdin: input, onStdout: onStdout)
    }
}

/// Finds the delegate in `CNI_PATH` and runs it with `posix_spawn`.
public struct ExecDelegateRunner: DelegateRunner {
    private let prestarted = PrestartedChild()

    public init() {}

    public func resolve(_ type: String, _ command: Command, for call: Invocation) throws(CNIError) -> DelegatePlugin {
        DelegatePlugin(
            type: type, command: command, program: try Self.find(type, in: call.path),
            environment: Self.environment(command, call.environment).spawnEntries, output: call.output)
    }

    /// The prestarted child when it runs this program with this environment; else, with `now`, a child started here
    /// and kept off this thread's CPU until `finish`, or, without, one spawned by `finish` (pinned, busy binaries
    /// retried).
    public func start(_ plugin: DelegatePlugin, now: Bool) throws(CNIError) -> any DelegateProcess {
        switch prestarted.take(plugin.program, plugin.environment) {
        case .some(let child): return ExecProcess(plugin, child)
        case .none: break
        }
        guard now else { return ExecProcess(plugin, nil) }
        do {
            return ExecProcess(
                plugin,
                try Spawn.start(
                    path: plugin.program, arguments: [plugin.program],
                    environment: plugin.environment))
        } catch {
            throw CNIError(.ioFailure, "failed to execute plugin \(plugin.program): \(error)")
        }
    }

    /// Starts the plugin and keeps it for the next `start` of the same program and environment; a plugin that cannot
    /// be found or started is left to that call, which reports why.
    public func prestart(_ type: String, _ command: Command, environment: Environment) {
        guard let program = try? Self.find(type, in: environment.searchPath) else { return }
        let entries = Self.environment(command, environment).spawnEntries
        do {
            prestarted.put(try Spawn.start(path: program, arguments: [program], environment: entries), program, entries)
        } catch {
            return  // started again (and its error reported) by the call that needs it
        }
    }

    /// The plugin's stderr when run with the caller's environment minus `CNI_COMMAND` and no stdin, if it exits 0.
    public func about(_ type: String, for call: Invocation) -> String? {
        guard let program = try? Self.find(type, in: call.path) else { return nil }  // nil: unknown
        var environment = call.environment
        environment["CNI_COMMAND"] = nil
        guard
            let result = try? Spawn.run(
                path: program, arguments: [program], environment: environment.spawnEntries,
                stdin: []),
            result.exitCode == 0
        else { return nil }  // a plugin that cannot be run says nothing about itself
        return String(decoding: result.stderr, as: UTF8.self)
    }

    /// The caller's environment with `CNI_COMMAND` set to `command`.
    private static func environment(_ command: Command, _ base: Environment) -> Environment {
        var environment = base
        environment["CNI_COMMAND"] = command.rawValue
        return environment
    }

    /// The first regular file named `type` in `CNI_PATH` order (libcni `FindInPath`).
    public static func find(_ type: String, in path: [String]) throws(CNIError) -> String {
        guard !type.isEmpty, !type.contains("/") else {
            throw CNIError(.invalidNetworkConfig, "invalid plugin name \"\(type)\": must not be empty or contain /")
        }
        for dir in path where FileSystem.isRegularFile(dir + "/" + type) {
            return dir + "/" + type
        }
        throw CNIError(
            .invalidNetworkConfig, "failed to find plugin \"\(type)\" in path [\(path.joined(separator: " "))]")
    }
}

/// A delegate process of `ExecDelegateRunner`: a started child, or none yet (spawned and run by `finish`).
private final class ExecProcess: DelegateProcess {
    private let plugin: DelegatePlugin
    private var child: Spawn.Child?

    init(_ plugin: DelegatePlugin, _ child: consuming Spawn.Child?) {
        self.plugin = plugin
        self.child = child
    }

    func finish(stdin: [UInt8], onStdout: (([UInt8]) -> Void)?) throws(CNIError) -> [UInt8] {
        let result: SpawnResult
        switch child.take() {
        case .some(let started): result = started.finish(stdin: stdin, onStdout: onStdout)
        case .none: result = try run(stdin: stdin, onStdout: onStdout)
        }
        if !result.stderr.isEmpty { plugin.output.stderr(result.stderr) }  // passed through either way
        guard result.exitCode == 0 else { throw failure(result) }
        return result.stdout
    }

    func kill() {
        switch child.take() {
        case .some(let started): started.kill()
        case .none: break
        }
    }

    /// Spawns the plugin and waits for it, retrying a binary being replaced (ETXTBSY) like libcni.
    private func run(stdin: [UInt8], onStdout: (([UInt8]) -> Void)?) throws(CNIError) -> SpawnResult {
        var attempts = 0
        while true {
            do {
                // Pinned: the caller only waits for the delegate, which then starts on the CPU where the caller
                // sleeps instead of queueing behind another busy thread of ours (docs/PERFORMANCE.md, "CPU pinning").
                return try Spawn.run(
                    path: plugin.program, arguments: [plugin.program], environment: plugin.environment, stdin: stdin,
                    pinned: true, onStdout: onStdout)
            } catch let error where error == .textFileBusy && attempts < 5 {
                attempts += 1  // the binary is being replaced (install in progress)
                Clock.sleep(milliseconds: 200)
            } catch {
                throw CNIError(.ioFailure, "failed to execute plugin \(plugin.program): \(error)")
            }
        }
    }

    /// The delegate's own error when it printed one; otherwise its stderr/stdout text.
    private func failure(_ result: SpawnResult) -> CNIError {
        if let json = try? JSONValue.parse(result.stdout), let error = CNIError(json: json) { return error }
        let text = String(decoding: result.stdout.isEmpty ? result.stderr : result.stdout, as: UTF8.self)
        return CNIError(
            .internalError, "plugin type=\"\(plugin.type)\" failed with exit code \(result.exitCode)",
            details: text.isEmpty ? nil : text)
    }
}

/// A plugin started by `prestart`, kept until a `start` for the same program and environment takes it. A child that
/// is replaced, refused or never taken is killed (SIGKILL, then reaped) before it has read any input.
/// `prestart` runs on the main thread and bridge's IPAM thread takes the child: every access holds `lock`.
private final class PrestartedChild: @unchecked Sendable {
    private let lock = ThreadLock()
    private var child: Spawn.Child?
    private var program = ""
    private var environment: [String] = []

    func put(_ started: consuming Spawn.Child, _ program: String, _ environment: [String]) {
        lock.lock()
        defer { lock.unlock() }
        child = consume started
        (self.program, self.environment) = (program, environment)
    }

    /// The kept child if it runs `program` with `environment`; nil (and any other kept child killed) otherwise.
    func take(_ program: String, _ environment: [String]) -> Spawn.Child? {
        lock.lock()
        defer { lock.unlock() }
        guard program == self.program, environment == self.environment else {
            child = nil
            return nil
        }
        return child.take()
    }
}

/// An ADD result parsed from the plugin's stdout as soon as it holds a complete document that is a result (not an
/// error object), before the plugin has exited; `final` reuses it when only whitespace followed (the whole output is
/// then that document, as jansson rejects trailing data) and otherwise parses the whole output, which reports any
/// trailing data. An early result is therefore the final one whenever the ADD succeeds.
private final class EarlyResult {
    private(set) var parsed: CNIResult?
    private var end = 0

    /// The result, the first time `output` (stdout so far) completes one; nil otherwise.
    func read(_ output: [UInt8]) -> CNIResult? {
        guard parsed == nil, let end = JSONValue.documentEnd(in: output),
            let object = (try? JSONValue.parse(Array(output[..<end])))?.objectValue, object["code"] == nil,
            let result = try? CNIResult(parsing: object)
        else { return nil }
        (parsed, self.end) = (result, end)
        return result
    }

    func final(of type: String, _ out: [UInt8]) throws(CNIError) -> CNIResult {
        let whitespace: [UInt8] = [0x20, 0x0A, 0x0D, 0x09]
        if let parsed, end <= out.count, out[end...].allSatisfy(whitespace.contains) { return parsed }
        // Any parse failure is reported with the delegate's output as details.
        guard let object = (try? JSONValue.parse(out))?.objectValue else {
            throw CNIError(
                .decodingFailure, "failed to parse result of plugin \"\(type)\"",
                details: String(decoding: out.prefix(512), as: UTF8.self))
        }
        return try CNIResult(parsing: object)
    }
}
