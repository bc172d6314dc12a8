import JSON
import Posix

/// Executes a delegated plugin (IPAM for bridge, bridge for flannel). A protocol so tests can record calls.
public protocol DelegateRunner: Sendable {
    /// Runs plugin `type` with `command`, the caller's environment (only `CNI_COMMAND` changed) and
    /// `stdin`; returns its stdout on success. A failing delegate's error JSON is returned unchanged as
    /// the thrown `CNIError`.
    func run(_ type: String, _ command: Command, stdin: [UInt8], for call: Invocation) throws(CNIError) -> [UInt8]
}

extension DelegateRunner {
    /// ADD through the delegate, with its result parsed (any version).
    public func add(_ type: String, stdin: [UInt8], for call: Invocation) throws(CNIError) -> CNIResult {
        let out = try run(type, .add, stdin: stdin, for: call)
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
    public init() {}

    public func run(_ type: String, _ command: Command, stdin: [UInt8], for call: Invocation) throws(CNIError) -> [UInt8] {
        let program = try Self.find(type, in: call.path)
        var environment = call.environment
        environment["CNI_COMMAND"] = command.rawValue
        let result = try spawn(program, environment: environment, stdin: stdin)
        if !result.stderr.isEmpty { call.output.stderr(result.stderr) }
        guard result.exitCode == 0 else { throw Self.failure(type, result) }
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

    private func spawn(_ program: String, environment: Environment, stdin: [UInt8]) throws(CNIError) -> SpawnResult {
        var attempts = 0
        while true {
            do {
                return try Spawn.run(path: program, arguments: [program], environment: environment.spawnEntries, stdin: stdin)
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
