import Posix

/// The process environment as a value: injected in tests, read once from `environ` in production.
///
/// Kept as the `KEY=VALUE` strings the process received (what `posix_spawn` takes back): an array of `String` is
/// the one collection type whose runtime metadata the Swift runtime has ready, so reading the environment costs no
/// metadata instantiation at start-up (an array of `(key, value)` tuples has its metadata built by demangling).
public struct Environment: Sendable, Equatable {
    /// `KEY=VALUE` entries in order, for `posix_spawn`.
    public private(set) var spawnEntries: [String]

    public init(entries: [String]) { spawnEntries = entries }

    public init(_ pairs: [(String, String)]) { spawnEntries = pairs.map { $0.0 + "=" + $0.1 } }

    public init(_ dictionary: [String: String]) {
        self.init(dictionary.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    /// The running process's environment.
    public static func current() -> Environment { Environment(entries: Spawn.currentEnvironment()) }

    /// `CNI_PATH` split on `:` (empty entries dropped), the directories searched for delegates.
    public var searchPath: [String] {
        ASCII.split(self["CNI_PATH"] ?? "", on: UInt8(ascii: ":"), omittingEmpty: true).map(String.init)
    }

    /// The last value of `key` (later entries win, as with `setenv`).
    public subscript(key: String) -> String? {
        get {
            for entry in spawnEntries.reversed() {
                if let value = Self.value(of: entry, ifKeyIs: key) { return value }
            }
            return nil
        }
        set {
            spawnEntries.removeAll { Self.value(of: $0, ifKeyIs: key) != nil }
            if let newValue { spawnEntries.append(key + "=" + newValue) }
        }
    }

    /// The part after `key=`, or nil when `entry` is about another key.
    private static func value(of entry: String, ifKeyIs key: String) -> String? {
        let bytes = entry.utf8
        let name = key.utf8
        guard bytes.count > name.count else { return nil }
        var position = bytes.startIndex
        for byte in name {
            guard bytes[position] == byte else { return nil }
            position = bytes.index(after: position)
        }
        guard bytes[position] == UInt8(ascii: "=") else { return nil }
        return String(entry[bytes.index(after: position)...])
    }
}
