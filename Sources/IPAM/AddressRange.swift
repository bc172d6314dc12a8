public import Addressing

/// One pool of addresses inside a subnet: `rangeStart`…`rangeEnd` (inclusive), with a gateway that
/// is never handed out. Built validated: an `AddressRange` always satisfies Go host-local's
/// `Range.Canonicalize` rules.
public struct AddressRange: Hashable, Sendable, CustomStringConvertible {
    /// The subnet, host bits cleared; its prefix length is the one results carry.
    public let subnet: IPNetwork
    /// First address handed out (inclusive).
    public let start: IPAddress
    /// Last address handed out (inclusive).
    public let end: IPAddress
    /// The gateway reported in results and skipped during allocation.
    public let gateway: IPAddress

    /// Validates a range the way the reference does, filling in defaults: start = subnet + 1,
    /// end = broadcast − 1 (IPv4) or the last address (IPv6), gateway = subnet + 1.
    ///
    /// Errors (`.invalidRange`): `Network X too small to allocate from` (prefix > bits − 2),
    /// `Network has host bits set…`, `RangeStart X not in network Y`, `RangeEnd X not in network Y`,
    /// plus two the reference lacks: a gateway of the other family, and a start after the end.
    public init(
        subnet: IPNetwork, start: IPAddress? = nil, end: IPAddress? = nil, gateway: IPAddress? = nil
    ) throws(IPAMError) {
        let bits = subnet.family.bitCount
        guard subnet.prefixLength <= bits - 2 else {
            throw .invalidRange("Network \(subnet) too small to allocate from")
        }
        guard subnet.isNetworkAddress else {
            throw .invalidRange(
                "Network has host bits set. For a subnet mask of length \(subnet.prefixLength) "
                    + "the network address is \(subnet.networkAddress)")
        }
        self.subnet = subnet
        let first = subnet.networkAddress.next
        self.gateway = gateway ?? first
        self.start = start ?? first
        self.end = end ?? (subnet.family == .v4 ? subnet.lastAddress.previous : subnet.lastAddress)
        try validateBounds(start: start, end: end)
    }

    private func validateBounds(start given: IPAddress?, end givenEnd: IPAddress?) throws(IPAMError) {
        guard gateway.family == subnet.family else {
            throw .invalidRange("gateway \(gateway) is not in the address family of network \(subnet)")
        }
        if let given, !subnet.contains(given) || given.family != subnet.family {
            throw .invalidRange("RangeStart \(given) not in network \(subnet)")
        }
        if let givenEnd, !subnet.contains(givenEnd) || givenEnd.family != subnet.family {
            throw .invalidRange("RangeEnd \(givenEnd) not in network \(subnet)")
        }
        guard start <= end else {
            throw .invalidRange("RangeStart \(start) is after RangeEnd \(end)")
        }
    }

    /// The address family of the range.
    public var family: IPFamily { subnet.family }

    /// Whether `address` lies in `start…end` (same family).
    public func contains(_ address: IPAddress) -> Bool {
        address.family == family && start <= address && address <= end
    }

    /// Whether the two ranges share an address (Go's `Range.Overlaps`).
    public func overlaps(_ other: AddressRange) -> Bool {
        guard family == other.family else { return false }
        return contains(other.start) || contains(other.end) || other.contains(start) || other.contains(end)
    }

    /// The address with this range's prefix length, as results report it (`10.1.2.3/24`).
    public func network(for address: IPAddress) -> IPNetwork {
        IPNetwork(address: address, prefixLength: subnet.prefixLength)!  // same family: prefix always fits
    }

    /// How many addresses can be handed out (gateway excluded), saturating at `UInt64.max`.
    public var capacity: UInt64 {
        let (lowDifference, borrow) = end.low.subtractingReportingOverflow(start.low)
        let highDifference = end.high &- start.high &- (borrow ? 1 : 0)
        guard highDifference == 0, lowDifference < UInt64.max else { return UInt64.max }
        return lowDifference + 1 - (contains(gateway) ? 1 : 0)
    }

    /// `start-end`, as in the reference's error messages.
    public var description: String { "\(start)-\(end)" }
}
