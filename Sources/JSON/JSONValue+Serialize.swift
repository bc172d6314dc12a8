extension JSONValue {
    /// JSON text: compact, or indented with `indent` spaces per level (Go's `MarshalIndent(v, "", "    ")` shape).
    public func serialized(indent: Int = 0) -> String { String(decoding: bytes(indent: indent), as: UTF8.self) }

    /// UTF-8 bytes of `serialized(indent:)`, written straight into a byte array (appending to a `String` piece by
    /// piece cost much more).
    public func bytes(indent: Int = 0) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        write(to: &out, indent: indent, level: 0)
        return out
    }

    private func write(to out: inout [UInt8], indent: Int, level: Int) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .integer(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d): out.append(contentsOf: (d.isFinite ? d.description : "null").utf8)  // no NaN/Infinity
        case .string(let s): Self.quote(s, into: &out)
        case .array(let items):
            writeContainer(open: 0x5B, close: 0x5D, count: items.count, to: &out, indent: indent, level: level) {
                i, out in
                items[i].write(to: &out, indent: indent, level: level + 1)
            }
        case .object(let object):
            let members = object.members
            writeContainer(open: 0x7B, close: 0x7D, count: members.count, to: &out, indent: indent, level: level) {
                i, out in
                Self.quote(members[i].key, into: &out)
                out.append(0x3A)  // ':'
                if indent > 0 { out.append(0x20) }
                members[i].value.write(to: &out, indent: indent, level: level + 1)
            }
        }
    }

    private func writeContainer(
        open: UInt8, close: UInt8, count: Int, to out: inout [UInt8], indent: Int, level: Int,
        element: (Int, inout [UInt8]) -> Void
    ) {
        out.append(open)
        guard count > 0 else { return out.append(close) }
        for i in 0..<count {
            if i > 0 { out.append(0x2C) }  // ','
            Self.newline(&out, indent: indent, level: level + 1)
            element(i, &out)
        }
        Self.newline(&out, indent: indent, level: level)
        out.append(close)
    }

    private static func newline(_ out: inout [UInt8], indent: Int, level: Int) {
        guard indent > 0 else { return }
        out.append(0x0A)
        out.append(contentsOf: repeatElement(0x20, count: indent * level))
    }

    /// A JSON string literal, escaped as Go's encoding/json does: `"`, `\`, control characters (`\n`, `\r`, `\t`,
    /// else `\u00XX`), and U+2028/U+2029. Works on the UTF-8 bytes (a `String` is valid UTF-8; U+2028/9 are
    /// E2 80 A8/A9).
    static func quote(_ s: String, into out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        let bytes = Array(s.utf8)
        out.append(0x22)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: out.append(contentsOf: [0x5C, 0x72])
            case 0x09: out.append(contentsOf: [0x5C, 0x74])
            case 0..<0x20: out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            case 0xE2 where i + 2 < bytes.count && bytes[i + 1] == 0x80 && (0xA8...0xA9).contains(bytes[i + 2]):
                out.append(contentsOf: Array("\\u202".utf8))
                out.append(bytes[i + 2] == 0xA8 ? 0x38 : 0x39)
                i += 2
            default: out.append(b)
            }
            i += 1
        }
        out.append(0x22)
    }
}
