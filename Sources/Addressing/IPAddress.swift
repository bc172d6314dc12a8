/// An IP address family.
public enum IPFamily: Sendable, Hashable, CustomStringConvertible {
    case v4, v6

    /// Bits in an address of this family.
    public var bitCount: Int { self == .v4 ? 32 : 128 }
    /// Bytes in an address of this family.
    public var byteCount: Int { self == .v4 ? 4 : 16 }
    /// `"4"` or `"6"`, as CNI 0.3/0.4 results spell it.
    public var description: String { self == .v4 ? "4" : "6" }
}

/// An IPv4 or IPv6 address, stored as a 128-bit value (IPv4 in the low 32 bits).
///
/// Parsing is strict, like Go's `net.ParseIP`: dotted quads without leading zeros, IPv6 per RFC 4291
/// (with an optional trailing dotted quad), no zones. `description` is the canonical text (RFC 5952),
/// which is also the file name host-local uses for a reservation.
public struct IPAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let family: IPFamily
    public let high: UInt64
    public let low: UInt64

    public init(family: IPFamily, high: UInt64, low: UInt64) {
        self.family = family
        if family == .v4 {
            self.high = 0
            self.low = low & 0xFFFF_FFFF
        } else {
            self.high = high
            self.low = low
        }
    }

    /// An IPv4 address from its 32-bit value.
    public init(v4 value: UInt32) { self.init(family: .v4, high: 0, low: UInt64(value)) }

    /// Parses an address; returns nil for anything that is not exactly one address.
    public init?(_ text: Substring) { self.init(String(text)) }

    /// Non-generic fast path (host-local parses every file name of its directory on each ADD): the
    /// bytes are read in place, without allocation, for IPv4.
    public init?(_ text: String) {
        var text = text
        guard let parsed = text.withUTF8({ Self.parse($0) }) else { return nil }
        self.init(family: parsed.family, high: parsed.high, low: parsed.low)
    }

    private static func parse(_ utf8: UnsafeBufferPointer<UInt8>) -> (family: IPFamily, high: UInt64, low: UInt64)? {
        if utf8.contains(UInt8(ascii: ":")) {
            guard let (h, l) = parseV6(Array(utf8)) else { return nil }
            return (.v6, h, l)
        }
        guard let v = parseV4(utf8) else { return nil }
        return (.v4, 0, UInt64(v))
    }

    /// An address from its network-order bytes (4 or 16 of them).
    public init?(bytes: [UInt8]) {
        switch bytes.count {
        case 4:
            self.init(v4: bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        case 16:
            let h = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let l = bytes[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            self.init(family: .v6, high: h, low: l)
        default:
            return nil
        }
    }

    /// Network-order bytes: 4 for IPv4, 16 for IPv6.
    public var bytes: [UInt8] {
        if family == .v4 {
            return (0..<4).map { UInt8(truncatingIfNeeded: low >> (24 - 8 * UInt64($0))) }
        }
        return (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64($0))) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64($0))) }
    }

    public var isIPv4: Bool { family == .v4 }
    public var isIPv6: Bool { family == .v6 }

    /// The 32-bit value of an IPv4 address.
    public var v4Value: UInt32 { UInt32(truncatingIfNeeded: low) }

    /// fe80::/10.
    public var isLinkLocalUnicast: Bool {
        family == .v6 ? (high >> 54) == 0x3FA : (v4Value >> 16) == 0xA9FE
    }

    /// Multicast (224.0.0.0/4, ff00::/8).
    public var isMulticast: Bool {
        family == .v6 ? (high >> 56) == 0xFF : (v4Value >> 28) == 0xE
    }

    /// Not unspecified, loopback, multicast or link-local: what Go calls `IsGlobalUnicast`.
    public var isGlobalUnicast: Bool {
        if isMulticast || isLinkLocalUnicast { return false }
        if family == .v4 { return v4Value != 0 && v4Value >> 24 != 127 && v4Value != 0xFFFF_FFFF }
        return !(high == 0 && (low == 0 || low == 1))
    }

    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        if a.family != b.family { return a.family == .v4 }
        return (a.high, a.low) < (b.high, b.low)
    }

    /// The address `n` further on (wrapping inside the family's space).
    public func advanced(by n: Int64) -> IPAddress {
        if family == .v4 {
            return IPAddress(v4: UInt32(truncatingIfNeeded: Int64(v4Value) &+ n))
        }
        let magnitude = UInt64(n.magnitude)
        if n >= 0 {
            let (l, carry) = low.addingReportingOverflow(magnitude)
            return IPAddress(family: .v6, high: high &+ (carry ? 1 : 0), low: l)
        }
        let (l, borrow) = low.subtractingReportingOverflow(magnitude)
        return IPAddress(family: .v6, high: high &- (borrow ? 1 : 0), low: l)
    }

    public var next: IPAddress { advanced(by: 1) }
    public var previous: IPAddress { advanced(by: -1) }

    public var description: String {
        family == .v4 ? Self.formatV4(v4Value) : Self.formatV6(high, low)
    }
}

// MARK: - Parsing and formatting

extension IPAddress {
    /// Four decimal octets, no leading zeros, nothing else.
    static func parseV4(_ text: UnsafeBufferPointer<UInt8>) -> UInt32? {
        var value: UInt32 = 0
        var octet: UInt32 = 0
        var digits = 0
        var octets = 0
        var leadingZero = false
        for c in text {
            if c == UInt8(ascii: ".") {
                guard digits > 0, octets < 3 else { return nil }
                value = value << 8 | octet
                octets += 1
                (octet, digits, leadingZero) = (0, 0, false)
                continue
            }
            guard c >= 0x30, c <= 0x39, digits < 3, !leadingZero else { return nil }
            if digits == 0, c == 0x30 { leadingZero = true }
            octet = octet * 10 + UInt32(c - 0x30)
            digits += 1
            guard octet <= 255 else { return nil }
        }
        guard digits > 0, octets == 3 else { return nil }
        return value << 8 | octet
    }

    static func parseV6(_ text: [UInt8]) -> (UInt64, UInt64)? {
        var groups: [UInt16] = []
        var gap: Int? = nil
        var index = 0
        if text.starts(with: [0x3A, 0x3A]) {
            gap = 0
            index = 2
            if index == text.count { return (0, 0) }
        } else if text.first == 0x3A {
            return nil
        }
        while index < text.count {
            // A trailing dotted quad takes two groups.
            let rest = text[index...]
            if rest.contains(UInt8(ascii: ".")), !rest.contains(UInt8(ascii: ":")) {
                guard let v4 = Array(rest).withUnsafeBufferPointer({ parseV4($0) }), groups.count <= 6 else {
                    return nil
                }
                groups.append(UInt16(v4 >> 16))
                groups.append(UInt16(v4 & 0xFFFF))
                index = text.count
                break
            }
            var value: UInt32 = 0
            var digits = 0
            while index < text.count, let d = hexValue(text[index]) {
                value = value << 4 | UInt32(d)
                digits += 1
                index += 1
                if digits > 4 { return nil }
            }
            guard digits > 0 else { return nil }
            groups.append(UInt16(value))
            if index == text.count { break }
            guard text[index] == 0x3A else { return nil }
            index += 1
            if index < text.count, text[index] == 0x3A {
                guard gap == nil else { return nil }
                gap = groups.count
                index += 1
                if index == text.count { break }
            } else if index == text.count {
                return nil
            }
        }
        if let gap {
            guard groups.count < 8 else { return nil }
            groups.insert(contentsOf: repeatElement(0, count: 8 - groups.count), at: gap)
        }
        guard groups.count == 8 else { return nil }
        let h = groups[0..<4].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        let l = groups[4..<8].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        return (h, l)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }

    static func formatV4(_ v: UInt32) -> String {
        "\(v >> 24).\(v >> 16 & 0xFF).\(v >> 8 & 0xFF).\(v & 0xFF)"
    }

    /// RFC 5952: lowercase, no leading zeros, the longest run (>= 2) of zero groups as `::`.
    /// IPv4-mapped addresses print as `::ffff:a.b.c.d`.
    static func formatV6(_ high: UInt64, _ low: UInt64) -> String {
        let groups: [UInt16] =
            (0..<4).map { UInt16(truncatingIfNeeded: high >> (48 - 16 * UInt64($0))) }
            + (0..<4).map { UInt16(truncatingIfNeeded: low >> (48 - 16 * UInt64($0))) }
        if high == 0, low >> 32 == 0xFFFF {
            return "::ffff:" + formatV4(UInt32(truncatingIfNeeded: low))
        }
        var bestStart = -1
        var bestLength = 1
        var runStart = -1
        for i in 0...8 {
            if i < 8, groups[i] == 0 {
                if runStart < 0 { runStart = i }
            } else if runStart >= 0 {
                if i - runStart > bestLength {
                    bestStart = runStart
                    bestLength = i - runStart
                }
                runStart = -1
            }
        }
        var text = ""
        var needsColon = false
        var i = 0
        while i < 8 {
            if i == bestStart {
                text += "::"
                (i, needsColon) = (i + bestLength, false)
            } else {
                if needsColon { text += ":" }
                text += String(groups[i], radix: 16)
                (i, needsColon) = (i + 1, true)
            }
        }
        return text
    }
}
