import Posix

/// The process environment as a value: injected in tests, read once from `environ` in production.
public struct Environment: Sendable, Equatable {
    /// `KEY=VALUE` pairs in order.
    public private(set) var entries: [(key: String, value: String)]

    public init(_ entries: [(String, String)]) { self.entries = entries.map { (key: $0.0, value: $0.1) } }

    public init(_ dictionary: [String: String]) { self.init(dictionary.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }) }

    /// The running process's environment.
    public static func current() -> Environment {
        Environment(Spawn.currentEnvironment().map { entry in
            guard let equals = entry.utf8.firstIndex(of: UInt8(ascii: "=")) else { return (entry, "") }
            return (String(entry[..<equals]), String(entry[entry.utf8.index(after: equals)...]))
        })
    }

    /// The last value of `key` (later entries win, as with `setenv`).
    public subscript(key: String) -> String? {
        get { entries.last { $0.key == key }?.value }
        set {
            entries.removeAll { $0.key == key }
            if let newValue { entries.append((key, newValue)) }
        }
    }

    /// `KEY=VALUE` strings for `posix_spawn`.
    public var spawnEntries: [String] { entries.map { $0.key + "=" + $0.value } }

    public static func == (a: Environment, b: Environment) -> Bool { a.spawnEntries == b.spawnEntries }
}
