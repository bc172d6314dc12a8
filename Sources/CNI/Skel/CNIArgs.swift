import Posix

/// `CNI_ARGS`: `K=V;K=V`. Keys are matched exactly (case-sensitive), as the reference `LoadArgs` does.
public struct CNIArgs: Sendable, Equatable {
    /// One `K=V` pair (a struct, not a tuple: arrays of tuples need runtime metadata built at start-up).
    public struct Pair: Sendable, Equatable {
        public var key: String
        public var value: String
    }

    public private(set) var pairs: [Pair] = []

    public init() {}

    /// Parses the variable. A pair that is not exactly `K=V` is an error (code 4).
    /// Split on the UTF-8 bytes, as Go's `strings.Split` does: split by `Character`, a `;` or `=` followed by a
    /// combining mark is one grapheme and no separator (found by scripts/fuzz.sh, target cni-args).
    public init(parsing text: String) throws(CNIError) {
        guard !text.isEmpty else { return }
        for pair in ASCII.split(text, on: UInt8(ascii: ";"), omittingEmpty: true) {
            let parts = ASCII.split(pair, on: UInt8(ascii: "="))
            guard parts.count == 2, !parts[0].isEmpty else {
                throw CNIError(.invalidEnvironmentVariables, "ARGS: invalid pair \"\(pair)\"")
            }
            pairs.append(Pair(key: String(parts[0]), value: String(parts[1])))
        }
    }

    public subscript(key: String) -> String? {
        for pair in pairs.reversed() where pair.key == key { return pair.value }
        return nil
    }

    /// Checks that every key is one of `known` (plus `IgnoreUnknown`), unless `IgnoreUnknown` is
    /// `1`/`true`. Errors: `ARGS: unknown args [...]`, or an invalid `IgnoreUnknown` value (code 4).
    public func validate(known: [String]) throws(CNIError) {
        var ignoreUnknown = false
        if let flag = self["IgnoreUnknown"] {
            switch flag.lowercased() {
            case "1", "true": ignoreUnknown = true
            case "0", "false": ignoreUnknown = false
            default:
                throw CNIError(.invalidEnvironmentVariables, "ARGS: invalid value \"\(flag)\" for IgnoreUnknown")
            }
        }
        var unknown: [String] = []
        for pair in pairs where !known.contains(pair.key) && pair.key != "IgnoreUnknown" { unknown.append(pair.key) }
        if !unknown.isEmpty, !ignoreUnknown {
            throw CNIError(.invalidEnvironmentVariables, "ARGS: unknown args [\(unknown.joined(separator: " "))]")
        }
    }

}
