extension JSONValue {
    /// Where the first JSON object or array in `bytes` ends (the index after its closing bracket), or nil while it
    /// is incomplete or when `bytes` does not start (after whitespace) with `{` or `[`.
    ///
    /// A scan of brackets outside strings, not a validation: callers parse the prefix it delimits. It lets a reader
    /// of another process's output use a complete document before the writer has exited.
    public static func documentEnd(in bytes: [UInt8]) -> Int? {
        var depth = 0
        var inString = false
        var escaped = false
        var started = false
        for (index, byte) in bytes.enumerated() {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard started else { return nil }
                depth -= 1
                if depth == 0 { return index + 1 }
            case UInt8(ascii: "\""):
                guard started else { return nil }
                inString = true
            default:
                guard started else { return nil }  // a scalar at the top level is not a document we wait for
            }
            started = true
        }
        return nil
    }
}
