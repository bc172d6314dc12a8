/// The reference rules for container IDs, network names and interface names (libcni `pkg/utils`).
public enum Identifiers {
    /// The longest container ID accepted, in bytes. Runtimes send 64 hex digits (containerd, CRI-O, podman; ctr
    /// prefixes its namespace); 200 leaves room for that and keeps flannel's hidden temporary name
    /// (`.<id>.tmp.XXXXXX`) within the 255 bytes a file name may have.
    public static let containerIDLimit = 200

    /// `^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$` — shared by container IDs and network names, and what keeps
    /// them safe as file names (no `/`, no leading `.`).
    public static func isValidName(_ s: String) -> Bool {
        let utf8 = Array(s.utf8)
        guard let first = utf8.first, isAlphanumeric(first) else { return false }
        return utf8.dropFirst().allSatisfy { isAlphanumeric($0) || $0 == 0x5F || $0 == 0x2E || $0 == 0x2D }
    }

    /// Non-empty, at most 15 bytes, not `.`/`..`, no `/`, `:` or whitespace. Returns the problem, or nil.
    public static func interfaceNameProblem(_ name: String) -> String? {
        if name.isEmpty { return "interface name is empty" }
        if name.utf8.count > 15 { return "interface name is too long" }
        if name == "." || name == ".." { return "interface name is . or .." }
        if name.unicodeScalars.contains(where: { $0 == "/" || $0 == ":" || $0.properties.isWhitespace }) {
            return "interface name contains / or : or whitespace characters"
        }
        return nil
    }

    private static func isAlphanumeric(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }
}
