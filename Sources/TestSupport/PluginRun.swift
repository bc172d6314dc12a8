public import JSON
public import Posix

/// What one plugin run left behind (a process, or the skel run in-process): exit code, stdout, stderr.
public struct PluginOutput: CustomStringConvertible, Sendable {
    public var exitCode: Int32
    public var stdout: String
    public var stderr: String

    public init(exitCode: Int32, stdout: [UInt8], stderr: [UInt8]) {
        self.exitCode = exitCode
        self.stdout = String(decoding: stdout, as: UTF8.self)
        self.stderr = String(decoding: stderr, as: UTF8.self)
    }

    public init(_ result: SpawnResult) {
        self.init(exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr)
    }

    /// stdout as JSON; nil when it is not (callers assert).
    public var json: JSONValue? { try? JSONValue.parse(stdout) }
    public var object: JSONObject? { json?.objectValue }
    /// The error code of an error reply.
    public var code: Int64? { object?["code"]?.integerValue }
    /// The error message, or the raw output when there is none.
    public var message: String { object?["msg"]?.stringValue ?? stdout + stderr }
    public var description: String { "exit \(exitCode)\nstdout: \(stdout)\nstderr: \(stderr)" }
}

/// Runs a plugin binary the way a runtime does: exactly `environment` (`KEY=VALUE` entries, nothing
/// inherited) and the config on stdin; inside `namespace` (the node's "host" side) when given.
public func runPlugin(
    _ path: String, environment: [String], stdin: [UInt8], in namespace: TestNamespace? = nil
) throws -> PluginOutput {
    if let namespace {
        return PluginOutput(
            try run(
                ["ip", "netns", "exec", namespace.name, "env", "-i"] + environment + [path],
                stdin: stdin, check: false))
    }
    return PluginOutput(try Spawn.run(path: path, arguments: [path], environment: environment, stdin: stdin))
}

/// Pids of the running processes that run `path` (from /proc): argv[0] for a binary, argv[1] for a script started
/// through its `#!` line. For finding a plugin's leftover children.
public func processes(running path: String) -> [String] {
    let target = Array(path.utf8)
    return ((try? FileSystem.listDirectory("/proc")) ?? []).filter { pid in
        guard Int(pid) != nil, let cmdline = try? FileSystem.readFile("/proc/\(pid)/cmdline") else { return false }
        return cmdline.split(separator: 0).prefix(2).contains { Array($0) == target }
    }
}
