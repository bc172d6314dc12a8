public import CNI
import JSON
import Posix

/// Executes a delegated plugin (IPAM for bridge, bridge for flannel). A protocol so tests can record calls.
public protocol DelegateRunner: Sendable {
    /// Runs plugin `type` with `command`, the caller's environment (only `CNI_COMMAND` changed) and
    /// `stdin`; returns its stdout on success. A failing delegate's error JSON is returned unchanged as
    /// the thrown `CNIError`.
    func run(_ type: String, _ command: Command, stdin: [UInt8], for call: Invocation) throws(CNIError) -> [UInt8]

    /// `run` with the stdin that `prepare` returns. An implementation may start the plugin first, so that its start-up
    /// overlaps with `prepare`: the plugin gets no input, and so does nothing, until `prepare` has returned; if
    /// `prepare` throws, the plugin is killed and the error is rethrown. Errors come in the order of the sequential
    /// `run(type, command, stdin: try prepare(), for:)`, which is the default implementation.
    func run(_ type: String, _ command: Command, for call: Invocation, stdinFrom prepare: () throws -> [UInt8]) throws
        -> [UInt8]

    /// ADD through the delegate, which may also hand its parsed result to `early` as soon as the plugin has printed
    /// a complete one, before it has exited (a process's exit takes ~0.2 ms more). The return value or error is
    /// still the final outcome: a caller that went ahead with the early result must undo its work when this throws.
    /// The default implementation never calls `early`.
    func add(_ type: String, stdin: [UInt8], for call: Invocation, early: @escaping (CNIResult) -> Void)
        throws(CNIError) -> CNIResult

    /// Starts plugin `type` for `command` now, from the raw environment, before the caller has parsed its own config:
    /// the plugin's start-up (exec, loading, runtime initialisation, ~0.9 ms for bridge) then overlaps with the
    /// caller's. The plugin waits for stdin; a later `run(_:_:for:stdinFrom:)` for the same program and
    /// environment uses it, anything else (a different type, an error) kills it before it read a byte. An
    /// implementation may do nothing (the default).
    func prestart(_ type: String, _ command: Command, environment: Environment)

    /// ADD with the stdin from `prepare` (see `run(_:_:for:stdinFrom:)`), its result parsed.
    func add(_ type: String, for call: Invocation, stdinFrom prepare: () throws -> [UInt8]) throws -> CNIResult

    /// What plugin `type` says about itself when run without `CNI_COMMAND`: the skel convention's "about" text on
    /// stderr (`CNI bridge plugin (swift-cni-plugins) v1.0.0`, Debian's Go one: `CNI bridge plugin version
    /// unknown`). Nil when it cannot be found or run (the default).
    func about(_ type: String, for call: Invocation) -> String?
}

extension DelegateRunner {
    public func prestart(_ type: String, _ command: Command, environment: Environment) {}

    public func about(_ type: String, for call: Invocation) -> String? { nil }

    public func run(_ type: String, _ command: Command, for call: Invocation, stdinFrom prepare: () throws -> [UInt8])
        throws -> [UInt8]
    {
        try run(type, command, stdin: try prepare(), for: call)
    }

    /// ADD through the delegate, with its result parsed (any version).
    public func add(_ type: String, stdin: [UInt8], for call: Invocation) throws(CNIError) -> CNIResult {
        try Self.parseResult(of: type, try run(type, .add, stdin: stdin, for: call))
    }

    public func add(_ type: String, stdin: [UInt8], for call: Invocation, early: @escaping (CNIResult) -> Void)
        throws(CNIError) -> CNIResult
    {
        try add(type, stdin: stdin, for: call)
    }

    /// ADD with the stdin from `prepare` (see `run(_:_:for:stdinFrom:)`), its result parsed.
    public func add(_ type: String, for call: Invocation, stdinFrom prepare: () throws -> [UInt8]) throws -> CNIResult {
        try Self.parseResult(of: type, try run(type, .add, for: call, stdinFrom: prepare))
    }

    fileprivate static func parseResult(of type: String, _ out: [UInt8]) throws(CNIError) -> CNIResult {
        // Any parse failure is reported below with the delegate's output as details.
        guard let object = (try? JSONValue.parse(out))?.objectValue else {
            throw CNIError(.decodingFailure, "failed to parse result of plugin \"\(type)\"",
                           details: String(decoding: out.prefix(512), as: UTF8.self))
        }
        return try CNIResult(parsing: object)
    }
}

/// Finds the delegate in `CNI_PATH` and runs it with `posix_spawn`.
public struct ExecDelegateRunner: DelegateRunner {
    private let prestarted = PrestartedChild()

    public init() {}

    public func run(_ type: String, _ command: Command, stdin: [UInt8], for call: Invocation) throws(CNIError) -> [UInt8] {
        let program = try Self.find(type, in: call.path)
        let result = try spawn(program, environment: Self.environment(command, call.environment), stdin: stdin)
        return try Self.output(type, result, call)
    }

    /// Publishes the result once stdout holds a complete JSON object that is a result (not an error object), while
    /// the plugin still exits (`EarlyResult`); the final outcome still waits for its exit status and for the whole
    /// output, which must be that one document (jansson rejects trailing data), so an early result is the final one
    /// whenever the ADD succeeds.
    public func add(_ type: String, stdin: [UInt8], for call: Invocation, early: @escaping (CNIResult) -> Void)
        throws(CNIError) -> CNIResult
    {
        let program = try Self.find(type, in: call.path)
        let reader = EarlyResult()
        let result = try spawn(program, environment: Self.environment(.add, call.environment), stdin: stdin) { output in
            if let parsed = reader.read(output) { early(parsed) }
        }
        return try reader.final(of: type, try Self.output(type, result, call))
    }

    /// `run(_:_:for:stdinFrom:)` whose result is parsed while the plugin exits (flannel's delegate: its exit takes
    /// ~0.2 ms), then confirmed by its exit status.
    public func add(_ type: String, for call: Invocation, stdinFrom prepare: () throws -> [UInt8]) throws -> CNIResult {
        let reader = EarlyResult()
        let out = try run(type, .add, for: call, stdinFrom: prepare) { _ = reader.read($0) }
        return try reader.final(of: type, out)
    }

    /// Starts the plugin before `prepare` runs (its exec and start-up overlap with the rest of flannel's fsyncs), and
    /// sends its stdin after. When the plugin cannot be found or started, falls back to the sequential
    /// `run`, which reports `prepare`'s errors first, as without the overlap, and retries a busy binary.
    public func run(_ type: String, _ command: Command, for call: Invocation, stdinFrom prepare: () throws -> [UInt8])
        throws -> [UInt8]
    {
        try run(type, command, for: call, stdinFrom: prepare, onStdout: nil)
    }

    private func run(
        _ type: String, _ command: Command, for call: Invocation, stdinFrom prepare: () throws -> [UInt8],
        onStdout: (([UInt8]) -> Void)?
    ) throws -> [UInt8] {
        let child: Spawn.Child
        do {
            let program = try Self.find(type, in: call.path)
            let environment = Self.environment(command, call.environment).spawnEntries
            switch prestarted.take(program, environment) {
            case .some(let started): child = started
            case .none: child = try Spawn.start(path: program, arguments: [program], environment: environment)
            }
        } catch {
            return try run(type, command, stdin: try prepare(), for: call)
        }
        let input: [UInt8]
        do { input = try prepare() } catch {
            child.kill()
            throw error
        }
        return try Self.output(type, child.finish(stdin: input, onStdout: onStdout), call)
    }

    /// Starts the plugin and keeps it for the next `run(_:_:for:stdinFrom:)`; a plugin that cannot be found or
    /// started is left to that call, which reports why.
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
        guard let result = try? Spawn.run(path: program, arguments: [program], environment: environment.spawnEntries,
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

    /// stdout of a successful run; stderr is passed through either way.
    private static func output(_ type: String, _ result: SpawnResult, _ call: Invocation) throws(CNIError) -> [UInt8] {
        if !result.stderr.isEmpty { call.output.stderr(result.stderr) }
        guard result.exitCode == 0 else { throw failure(type, result) }
        return result.stdout
    }

    /// The first regular file named `type` in `CNI_PATH` order (libcni `FindInPath`).
    public static func find(_ type: String, in path: [String]) throws(CNIError) -> String {
        guard !type.isEmpty, !type.contains("/") else {
            throw CNIError(.invalidNetworkConfig, "invalid plugin name \"\(type)\": must not be empty or contain /")
        }
        for dir in path where FileSystem.isRegularFile(dir + "/" + type) {
            return dir + "/" + type
        }
        throw CNIError(.invalidNetworkConfig, "failed to find plugin \"\(type)\" in path [\(path.joined(separator: " "))]")
    }

    /// Runs `program` to completion: the prestarted child when it is this program with this environment.
    private func spawn(
        _ program: String, environment: Environment, stdin: [UInt8], onStdout: (([UInt8]) -> Void)? = nil
    ) throws(CNIError) -> SpawnResult {
        switch prestarted.take(program, environment.spawnEntries) {
        case .some(let started): return started.finish(stdin: stdin, onStdout: onStdout)
        case .none: break
        }
        var attempts = 0
        while true {
            do {
                // Pinned: the caller only waits for the delegate, which then starts on the CPU where the caller
                // sleeps instead of queueing behind another busy thread of ours (docs/PERFORMANCE.md, "CPU pinning").
                return try Spawn.run(
                    path: program, arguments: [program], environment: environment.spawnEntries, stdin: stdin,
                    pinned: true, onStdout: onStdout)
            } catch where error == .textFileBusy && attempts < 5 {
                attempts += 1  // the binary is being replaced (install in progress): retry like libcni
                Clock.sleep(milliseconds: 200)
            } catch {
                throw CNIError(.ioFailure, "failed to execute plugin \(program): \(error)")
            }
        }
    }

    /// The delegate's own error when it printed one; otherwise its stderr/stdout text.
    private static func failure(_ type: String, _ result: SpawnResult) -> CNIError {
        // Not JSON: fall back to the delegate's text.
        if let json = try? JSONValue.parse(result.stdout), let error = CNIError(json: json) { return error }
        let text = String(decoding: result.stdout.isEmpty ? result.stderr : result.stdout, as: UTF8.self)
        return CNIError(.internalError, "plugin type=\"\(type)\" failed with exit code \(result.exitCode)",
                        details: text.isEmpty ? nil : text)
    }
}

/// A plugin started by `prestart`, kept until a run for the same program and environment takes it. A child that is
/// replaced, refused or never taken is killed (SIGKILL, then reaped) before it has read any input.
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
/// then that document) and otherwise parses the whole output, which reports any trailing data.
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
        return try ExecDelegateRunner.parseResult(of: type, out)
    }
}
