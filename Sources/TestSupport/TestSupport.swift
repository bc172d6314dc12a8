public import Posix

#if canImport(Glibc)
import Glibc
#endif

/// Helpers shared by the test targets: running commands, locating built plugins and fixtures,
/// and throw-away network namespaces. Not linked into any plugin.
public enum TestEnvironment {
    /// The package root, derived from this file's path.
    public static let packageRoot: String = {
        var path = #filePath
        for _ in 0..<3 { path = FileSystem.directoryName(path) }  // Sources/TestSupport/TestSupport.swift
        return path
    }()

    /// Directory holding the built executables: the one the test bundle runs from.
    public static let binaryDirectory: String = {
        if let dir = getenv("CNI_TEST_BIN_DIR") { return String(cString: dir) }
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let exe = n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        return FileSystem.directoryName(exe)
    }()

    /// Path of a built plugin (`host-local`, `bridge`, `flannel`).
    public static func binary(_ name: String) -> String { binaryDirectory + "/" + name }

    /// Go reference plugins from Debian's containernetworking-plugins.
    public static let goPluginDirectory = "/usr/lib/cni"

    public static var isCI: Bool {
        guard let value = getenv("CI") else { return false }
        return String(cString: value) == "true"
    }

    public static var isRoot: Bool { geteuid() == 0 }

    /// Whether namespace integration tests can run here (root and iproute2 present).
    public static var canManageNetNS: Bool {
        isRoot
            && (FileSystem.exists("/usr/sbin/ip") || FileSystem.exists("/usr/bin/ip") || FileSystem.exists("/sbin/ip"))
    }

    /// Integration suites are enabled when they can run, and also under CI=true, where they then fail
    /// (through `requireNetNS()`) instead of being skipped.
    public static var integrationEnabled: Bool { canManageNetNS || isCI }

    /// A fresh, unique name with the pid as suffix: `<prefix>-<counter>-<pid>`.
    public static func uniqueName(_ prefix: String) -> String {
        counter.increment(prefix) + "-\(getpid())"
    }

    private static let counter = Counter()
}

/// A process-wide counter (tests run in parallel).
final class Counter: @unchecked Sendable {
    private var value = 0
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    func increment(_ prefix: String) -> String {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        value += 1
        return "\(prefix)\(value)"
    }
}

public struct CommandFailure: Error, CustomStringConvertible {
    public var command: [String]
    public var result: SpawnResult
    public var description: String {
        "\(command.joined(separator: " ")) exited \(result.exitCode): "
            + String(decoding: result.stderr + result.stdout, as: UTF8.self)
    }
}

/// Runs a command (PATH lookup in the usual system directories) and returns its output.
@discardableResult
public func run(
    _ command: [String], stdin: [UInt8] = [], environment: [String]? = nil, check: Bool = true
) throws -> SpawnResult {
    let program = resolve(command[0])
    let result = try Spawn.run(
        path: program, arguments: command, environment: environment ?? Spawn.currentEnvironment(), stdin: stdin)
    if check, result.exitCode != 0 { throw CommandFailure(command: command, result: result) }
    return result
}

/// Runs a command and returns its stdout as text.
public func output(_ command: [String]) throws -> String {
    String(decoding: try run(command).stdout, as: UTF8.self)
}

func resolve(_ program: String) -> String {
    if program.contains("/") { return program }
    for dir in ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"] {
        let candidate = dir + "/" + program
        if access(candidate, X_OK) == 0 { return candidate }
    }
    return program
}

/// A network namespace created with `ip netns add` under a unique name, deleted on deinit.
public final class TestNamespace: @unchecked Sendable {
    public let name: String
    public var path: String { "/run/netns/" + name }

    public init(_ prefix: String = "cnit") throws {
        name = TestEnvironment.uniqueName(prefix)
        try run(["ip", "netns", "add", name])
        try run(["ip", "-n", name, "link", "set", "lo", "up"])
    }

    /// `ip -n <name> <args...>`.
    @discardableResult
    public func ip(_ args: String...) throws -> String {
        try output(["ip", "-n", name] + args)
    }

    /// Runs a command inside the namespace (`ip netns exec`).
    @discardableResult
    public func exec(_ command: [String], check: Bool = true) throws -> SpawnResult {
        try run(["ip", "netns", "exec", name] + command, check: check)
    }

    deinit {
        _ = try? run(["ip", "netns", "del", name], check: false)  // cleanup; failure would only leak a test namespace
    }
}

/// A temporary directory removed (recursively) on deinit.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String
    public init(_ prefix: String = "cni-test") throws {
        var template = Array("/tmp/\(prefix).XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else { throw Errno.current }
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    deinit { _ = try? run(["rm", "-rf", path], check: false) }  // best-effort cleanup of our own temp dir
}

/// Fixture files next to a test file: `Fixtures/<name>` relative to the directory of `file`.
public func fixturePath(_ name: String, file: StaticString = #filePath) -> String {
    FileSystem.directoryName("\(file)") + "/Fixtures/" + name
}

public func readFixture(_ name: String, file: StaticString = #filePath) throws -> String {
    try FileSystem.readText(fixturePath(name, file: file))
}

/// A fixture of another test target (`Tests/<target>/Fixtures/<name>`), for tests that share its files.
public func readFixture(_ name: String, of target: String) throws -> String {
    try FileSystem.readText(TestEnvironment.packageRoot + "/Tests/" + target + "/Fixtures/" + name)
}
