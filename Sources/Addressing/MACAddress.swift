/// A 48-bit Ethernet hardware address.
public struct MACAddress: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 6 else { return nil }
        self.bytes = bytes
    }

    /// Parses `aa:bb:cc:dd:ee:ff` (also `-` separated, either case), as Go's `net.ParseMAC` does for 48-bit addresses.
    /// A byte loop over a concrete `String` (see `IPNetwork.init`: generic string code costs a conformance search).
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 17 else { return nil }
        let separator = bytes[2]
        guard separator == UInt8(ascii: ":") || separator == UInt8(ascii: "-") else { return nil }
        var out: [UInt8] = []
        for i in 0..<6 {
            guard i == 5 || bytes[3 * i + 2] == separator,
                let high = Self.hexValue(bytes[3 * i]), let low = Self.hexValue(bytes[3 * i + 1])
            else { return nil }
            out.append(high << 4 | low)
        }
        self.bytes = out
    }

    /// Unicast and not all-zero: usable as an interface address.
    public var isUsableUnicast: Bool { bytes[0] & 1 == 0 && bytes.contains { $0 != 0 } }

    /// Lowercase colon-separated form, as Go prints it.
    public var description: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for (i, byte) in bytes.enumerated() {
            if i > 0 { text.append(UInt8(ascii: ":")) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
