import Posix

/// The firewall programs the plugin drives. Everything goes through their command line (as the Go plugins do), one
/// process per transaction: `iptables-restore`/`nft -f -` read a whole batch from stdin.
public enum FirewallTool: String, Sendable, CaseIterable {
    case iptables, ip6tables
    case iptablesRestore = "iptables-restore"
    case ip6tablesRestore = "ip6tables-restore"
    case nft
}

/// A firewall program that failed, could not be started, or is not installed.
public struct FirewallError: Error, Equatable, Sendable, CustomStringConvertible {
    public var command: String
    /// nil when the program could not be found or started.
    public var exitCode: Int32?
    public var output: String

    public init(command: String, exitCode: Int32?, output: String) {
        self.command = command
        self.exitCode = exitCode
        self.output = output
    }

    public var description: String {
        let trimmed = output.split(whereSeparator: \.isNewline).joined(separator: "; ")
        if let exitCode { return "\(command) failed (exit \(exitCode)): \(trimmed)" }
        return "\(command): \(trimmed)"
    }

    /// nft/iptables saying the table, chain or rule is not there (`No such file or directory`, `does not exist`).
    public var isNotFound: Bool {
        output.contains("No such file or directory") || output.contains("does not exist")
            || output.contains("No chain/target/match by that name")
    }
}

/// Runs firewall programs. A protocol so unit tests record the exact text sent (golden files) without root.
public protocol FirewallRunner: Sendable {
    /// Runs `tool` with `arguments` and `stdin`; returns stdout. Throws `FirewallError` on a non-zero exit.
    func run(_ tool: FirewallTool, _ arguments: [String], stdin: String) throws(FirewallError) -> String
    /// Whether the program is installed.
    func isAvailable(_ tool: FirewallTool) -> Bool
}

/// The real runner: finds programs in `PATH` (falling back to the usual sbin/bin directories, since runtimes often
/// call plugins with an empty environment) and runs them with `posix_spawn`.
public struct SpawnFirewallRunner: FirewallRunner {
    private let searchPath: [String]
    private let environment: [String]

    public init() { self.init(environment: Spawn.currentEnvironment()) }

    init(environment: [String]) {
        let path = environment.first { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) } ?? ""
        searchPath = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        self.environment = environment
    }

    public func locate(_ tool: FirewallTool) -> String? {
        searchPath.lazy.map { $0 + "/" + tool.rawValue }.first { FileSystem.isRegularFile($0) }
    }

    public func isAvailable(_ tool: FirewallTool) -> Bool { locate(tool) != nil }

    public func run(_ tool: FirewallTool, _ arguments: [String], stdin: String) throws(FirewallError) -> String {
        let commandLine = ([tool.rawValue] + arguments).joined(separator: " ")
        guard let path = locate(tool) else {
            throw FirewallError(command: commandLine, exitCode: nil, output: "\(tool.rawValue) not found in PATH")
        }
        let result: SpawnResult
        do {
            result = try Spawn.run(
                path: path, arguments: [path] + arguments, environment: environment, stdin: Array(stdin.utf8))
        } catch {
            throw FirewallError(command: commandLine, exitCode: nil, output: "cannot start: \(error)")
        }
        guard result.exitCode == 0 else {
            throw FirewallError(
                command: commandLine, exitCode: result.exitCode,
                output: String(decoding: result.stderr + result.stdout, as: UTF8.self))
        }
        return String(decoding: result.stdout, as: UTF8.self)
    }
}
