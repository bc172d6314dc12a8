/// `CNI_ARGS`: `K=V;K=V`. Keys are matched exactly (case-sensitive), as the reference `LoadArgs` does.
public struct CNIArgs: Sendable, Equatable {
    public private(set) var pairs: [(key: String, value: String)] = []

    public init() {}

    /// Parses the variable. A pair that is not exactly `K=V` is an error (code 4).
    public init(parsing text: String) throws(CNIError) {
        guard !text.isEmpty else { return }
        for pair in text.split(separator: ";", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw CNIError(.invalidEnvironmentVariables, "ARGS: invalid pair \"\(pair)\"")
            }
            pairs.append((String(parts[0]), String(parts[1])))
        }
    }

    public subscript(key: String) -> String? { pairs.last { $0.key == key }?.value }

    /// Checks that every key is one of `known` (plus `IgnoreUnknown`), unless `IgnoreUnknown` is
    /// `1`/`true`. Errors: `ARGS: unknown args [...]`, or an invalid `IgnoreUnknown` value (code 4).
    public func validate(known: Set<String>) throws(CNIError) {
        var ignoreUnknown = false
        if let flag = self["IgnoreUnknown"] {
            switch flag.lowercased() {
            case "1", "true": ignoreUnknown = true
            case "0", "false": ignoreUnknown = false
            default:
                throw CNIError(.invalidEnvironmentVariables, "ARGS: invalid value \"\(flag)\" for IgnoreUnknown")
            }
        }
        let unknown = pairs.map(\.key).filter { !known.contains($0) && $0 != "IgnoreUnknown" }
        if !unknown.isEmpty, !ignoreUnknown {
            throw CNIError(.invalidEnvironmentVariables, "ARGS: unknown args [\(unknown.joined(separator: " "))]")
        }
    }

    public static func == (a: CNIArgs, b: CNIArgs) -> Bool {
        a.pairs.map { $0.key + "=" + $0.value } == b.pairs.map { $0.key + "=" + $0.value }
    }
}
