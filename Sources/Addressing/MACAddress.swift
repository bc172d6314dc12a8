/// A 48-bit Ethernet hardware address.
public struct MACAddress: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 6 else { return nil }
        self.bytes = bytes
    }

    /// Parses `aa:bb:cc:dd:ee:ff` (also `-` separated, either case), as Go's `net.ParseMAC` does for 48-bit addresses.
    public init?(_ text: some StringProtocol) {
        let separator: Character = text.contains("-") ? "-" : ":"
        let parts = text.split(separator: separator, omittingEmptySubsequences: false)
        guard parts.count == 6 else { return nil }
        var out: [UInt8] = []
        for part in parts {
            guard part.utf8.count == 2, let b = UInt8(part, radix: 16) else { return nil }
            out.append(b)
        }
        self.bytes = out
    }

    /// Unicast and not all-zero: usable as an interface address.
    public var isUsableUnicast: Bool { bytes[0] & 1 == 0 && bytes.contains { $0 != 0 } }

    /// Lowercase colon-separated form, as Go prints it.
    public var description: String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":")
    }
}
