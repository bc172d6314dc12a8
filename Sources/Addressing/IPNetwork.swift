/// An address with a prefix length, as in CIDR notation (`10.244.1.1/24`).
///
/// `address` keeps the host bits as written (an interface address); `network` drops them
/// (what Go's `net.ParseCIDR` returns as the `*IPNet`).
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: Int

    public init?(address: IPAddress, prefixLength: Int) {
        guard (0...address.family.bitCount).contains(prefixLength) else { return nil }
        self.address = address
        self.prefixLength = prefixLength
    }

    /// Parses `address/prefix`. The prefix is decimal without sign or leading zeros.
    ///
    /// Concrete `String`/`Substring` entry points and byte loops on purpose: a generic `some StringProtocol` body
    /// ran unspecialized across modules, and its adaptors made the runtime search every protocol conformance in
    /// the binary the first time each process parsed a CIDR.
    public init?(_ text: Substring) { self.init(String(text)) }

    public init?(_ text: String) {
        let bytes = text.utf8
        guard let slash = bytes.firstIndex(of: UInt8(ascii: "/")) else { return nil }
        guard let address = IPAddress(String(text[..<slash])) else { return nil }
        var prefix = 0
        var digits = 0
        for byte in bytes[bytes.index(after: slash)...] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 3, !(digits == 1 && prefix == 0) else {
                return nil  // not a digit, more than 3 digits, or a leading zero
            }
            prefix = prefix * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
        }
        guard digits > 0 else { return nil }
        self.init(address: address, prefixLength: prefix)
    }

    public var family: IPFamily { address.family }

    /// The mask as a 128-bit value split in two halves (IPv4 in the low 32 bits of `low`).
    private var mask: (high: UInt64, low: UInt64) {
        let bits = family.bitCount
        let hostBits = bits - prefixLength
        if family == .v4 {
            let m: UInt64 = hostBits >= 32 ? 0 : (0xFFFF_FFFF << UInt64(hostBits)) & 0xFFFF_FFFF
            return (0, m)
        }
        let high: UInt64 = prefixLength >= 64 ? ~0 : (prefixLength == 0 ? 0 : ~0 << UInt64(64 - prefixLength))
        let low: UInt64 = prefixLength <= 64 ? 0 : (prefixLength == 128 ? ~0 : ~0 << UInt64(128 - prefixLength))
        return (high, low)
    }

    /// The network address (host bits cleared).
    public var networkAddress: IPAddress {
        let m = mask
        return IPAddress(family: family, high: address.high & m.high, low: address.low & m.low)
    }

    /// The same prefix with host bits cleared.
    public var network: IPNetwork { IPNetwork(address: networkAddress, prefixLength: prefixLength)! }

    /// The last address in the prefix (the IPv4 broadcast address).
    public var lastAddress: IPAddress {
        let m = mask
        let fullLow: UInt64 = family == .v4 ? 0xFFFF_FFFF : ~0
        return IPAddress(family: family, high: address.high | ~m.high, low: (address.low | ~m.low) & fullLow)
    }

    /// Whether host bits are all zero.
    public var isNetworkAddress: Bool { address == networkAddress }

    public func contains(_ ip: IPAddress) -> Bool {
        guard ip.family == family else { return false }
        let m = mask
        return ip.high & m.high == address.high & m.high && ip.low & m.low == address.low & m.low
    }

    /// Whether either prefix contains the other's network address.
    public func overlaps(_ other: IPNetwork) -> Bool {
        contains(other.networkAddress) || other.contains(networkAddress)
    }

    /// The dotted IPv4 mask or the IPv6 mask bytes; used by 0.1/0.2 style consumers and netlink.
    public var maskBytes: [UInt8] {
        let m = mask
        return IPAddress(family: family, high: m.high, low: m.low).bytes
    }

    /// The default route of a family (`0.0.0.0/0`, `::/0`).
    public static func defaultRoute(_ family: IPFamily) -> IPNetwork {
        IPNetwork(address: IPAddress(family: family, high: 0, low: 0), prefixLength: 0)!
    }

    public var isDefaultRoute: Bool { prefixLength == 0 }

    public var description: String { "\(address)/\(prefixLength)" }
}
