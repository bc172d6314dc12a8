/// Byte-level text helpers for the plugins' parsers: ASCII whitespace, trimming, splitting on one byte.
///
/// Concrete (no generic `StringProtocol` or `Collection` bodies) and on UTF-8 code units rather than `Character`s:
/// a separator followed by a combining mark stays a separator (as in Go, which splits bytes), no grapheme breaking
/// is paid for, and no generic code runs unspecialized across modules (docs/DEVELOPING.md, "Start-up code").
public enum ASCII {
    /// Space, tab, LF, VT, FF or CR: the ASCII white space of C's `isspace` and Go's `strings.TrimSpace`.
    @inlinable
    public static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }

    /// `bytes` without leading and trailing ASCII white space.
    public static func trimmingWhitespace(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, isWhitespace(bytes[start]) { start += 1 }
        while end > start, isWhitespace(bytes[end - 1]) { end -= 1 }
        return bytes[start..<end]
    }

    /// `text` without leading and trailing ASCII white space (other Unicode white space is kept).
    public static func trimmingWhitespace(_ text: Substring) -> Substring {
        let bytes = text.utf8
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, isWhitespace(bytes[start]) { start = bytes.index(after: start) }
        while end > start {
            let before = bytes.index(before: end)
            guard isWhitespace(bytes[before]) else { break }
            end = before
        }
        return text[start..<end]
    }

    /// `text` without trailing ASCII white space.
    public static func trimmingTrailingWhitespace(_ text: Substring) -> Substring {
        let bytes = text.utf8
        var end = bytes.endIndex
        while end > bytes.startIndex {
            let before = bytes.index(before: end)
            guard isWhitespace(bytes[before]) else { break }
            end = before
        }
        return text[..<end]
    }

    /// `text` without the leading bytes equal to `byte`.
    public static func dropping(leading byte: UInt8, from text: Substring) -> Substring {
        let bytes = text.utf8
        var start = bytes.startIndex
        while start < bytes.endIndex, bytes[start] == byte { start = bytes.index(after: start) }
        return text[start...]
    }

    /// The pieces of `text` between the bytes equal to `separator` (an ASCII byte), in order; empty pieces are kept
    /// unless `omittingEmpty`. Like Go's `strings.Split` (one piece for an empty text, unless omitted).
    public static func split(_ text: Substring, on separator: UInt8, omittingEmpty: Bool = false) -> [Substring] {
        var pieces: [Substring] = []
        let bytes = text.utf8
        var start = bytes.startIndex
        var index = start
        while index < bytes.endIndex {
            if bytes[index] == separator {
                if !omittingEmpty || index > start { pieces.append(text[start..<index]) }
                start = bytes.index(after: index)
            }
            index = bytes.index(after: index)
        }
        if !omittingEmpty || start < bytes.endIndex { pieces.append(text[start...]) }
        return pieces
    }

    /// `split` of a whole string.
    public static func split(_ text: String, on separator: UInt8, omittingEmpty: Bool = false) -> [Substring] {
        split(text[...], on: separator, omittingEmpty: omittingEmpty)
    }
}
