extension JSONValue {
    /// JSON text: compact, or indented with `indent` spaces per level (Go's `MarshalIndent(v, "", "    ")` shape).
    public func serialized(indent: Int = 0) -> String {
        var out = ""
        write(to: &out, indent: indent, level: 0)
        return out
    }

    /// UTF-8 bytes of `serialized(indent:)`.
    public func bytes(indent: Int = 0) -> [UInt8] { Array(serialized(indent: indent).utf8) }

    private func write(to out: inout String, indent: Int, level: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .integer(let i): out += String(i)
        case .double(let d): out += Self.format(d)
        case .string(let s): Self.quote(s, into: &out)
        case .array(let items):
            writeContainer(open: "[", close: "]", count: items.count, to: &out, indent: indent, level: level) { i, out in
                items[i].write(to: &out, indent: indent, level: level + 1)
            }
        case .object(let object):
            let members = object.members
            writeContainer(open: "{", close: "}", count: members.count, to: &out, indent: indent, level: level) { i, out in
                Self.quote(members[i].key, into: &out)
                out += indent > 0 ? ": " : ":"
                members[i].value.write(to: &out, indent: indent, level: level + 1)
            }
        }
    }

    private func writeContainer(
        open: String, close: String, count: Int, to out: inout String, indent: Int, level: Int,
        element: (Int, inout String) -> Void
    ) {
        out += open
        guard count > 0 else { return out += close }
        let pad = indent > 0 ? "\n" + String(repeating: " ", count: indent * (level + 1)) : ""
        for i in 0..<count {
            if i > 0 { out += "," }
            out += pad
            element(i, &out)
        }
        if indent > 0 { out += "\n" + String(repeating: " ", count: indent * level) }
        out += close
    }

    private static func format(_ d: Double) -> String {
        guard d.isFinite else { return "null" }  // JSON has no NaN/Infinity
        return d.description
    }

    static func quote(_ s: String, into out: inout String) {
        // Fast path: nothing to escape (the common case for CNI configs) is appended in one piece.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0xE2 }) {
            out += "\""
            out += s
            out += "\""
            return
        }
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
