public import Addressing

/// Which table a neighbor entry lives in: the IPv4 ARP or IPv6 ND cache, or a bridge/vxlan forwarding database.
public enum NeighborFamily: Hashable, Sendable {
    /// AF_INET: ARP entries (`ip neigh`).
    case ipv4
    /// AF_INET6: neighbor discovery entries.
    case ipv6
    /// AF_BRIDGE: FDB entries (`bridge fdb`), e.g. MAC → remote VTEP on a vxlan device.
    case bridge

    var code: UInt8 {
        switch self {
        case .ipv4: Family.inet
        case .ipv6: Family.inet6
        case .bridge: Family.bridge
        }
    }
}

/// Neighbor states (`NUD_*` in `ndm_state`).
public struct NeighborState: OptionSet, Hashable, Sendable {
    /// The raw kernel value.
    public let rawValue: UInt16
    /// A value from raw kernel bits.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// NUD_INCOMPLETE (0x01).
    public static let incomplete = NeighborState(rawValue: 0x01)
    /// NUD_REACHABLE (0x02).
    public static let reachable = NeighborState(rawValue: 0x02)
    /// NUD_STALE (0x04).
    public static let stale = NeighborState(rawValue: 0x04)
    /// NUD_DELAY (0x08).
    public static let delay = NeighborState(rawValue: 0x08)
    /// NUD_PROBE (0x10).
    public static let probe = NeighborState(rawValue: 0x10)
    /// NUD_FAILED (0x20).
    public static let failed = NeighborState(rawValue: 0x20)
    /// NUD_NOARP (0x40).
    public static let noARP = NeighborState(rawValue: 0x40)
    /// NUD_PERMANENT: a static entry that never expires.
    public static let permanent = NeighborState(rawValue: 0x80)
}

/// Neighbor flags (`NTF_*` in `ndm_flags`).
public struct NeighborFlags: OptionSet, Hashable, Sendable {
    /// The raw kernel value.
    public let rawValue: UInt8
    /// A value from raw kernel bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// NTF_USE (0x01).
    public static let use = NeighborFlags(rawValue: 0x01)
    /// NTF_SELF (iproute2 `self`): the entry belongs to the device itself, e.g. a vxlan FDB entry.
    public static let deviceSelf = NeighborFlags(rawValue: 0x02)
    /// NTF_MASTER: the entry belongs to the device's bridge.
    public static let master = NeighborFlags(rawValue: 0x04)
    /// NTF_PROXY (0x08).
    public static let proxy = NeighborFlags(rawValue: 0x08)
    /// NTF_EXT_LEARNED (0x10).
    public static let externallyLearned = NeighborFlags(rawValue: 0x10)
    /// NTF_ROUTER (0x80).
    public static let router = NeighborFlags(rawValue: 0x80)
}

/// A neighbor (ARP/ND) or FDB entry, as in RTM_NEWNEIGH.
public struct Neighbor: Hashable, Sendable {
    /// `ndm_ifindex`.
    public var linkIndex: Int32
    /// `ndm_family`.
    public var family: NeighborFamily
    /// NDA_DST: the neighbor's IP, or for an FDB entry on vxlan the remote VTEP address.
    public var destination: IPAddress?
    /// NDA_LLADDR.
    public var mac: MACAddress?
    /// `ndm_state`.
    public var state: NeighborState
    /// `ndm_flags`.
    public var flags: NeighborFlags
    /// NDA_VLAN, for FDB entries.
    public var vlan: UInt16?

    /// An entry; `family` defaults to the destination's (`.ipv4` without one).
    public init(
        linkIndex: Int32, destination: IPAddress? = nil, mac: MACAddress? = nil, family: NeighborFamily? = nil,
        state: NeighborState = .permanent, flags: NeighborFlags = []
    ) {
        self.linkIndex = linkIndex
        self.family = family ?? (destination?.family == .v6 ? .ipv6 : .ipv4)
        self.destination = destination
        self.mac = mac
        self.state = state
        self.flags = flags
    }
}

extension Neighbor {
    static let headerLength = 12  // sizeof(struct ndmsg)

    /// RTM_NEWNEIGH / RTM_DELNEIGH: `struct ndmsg`, then NDA_DST, NDA_LLADDR and NDA_VLAN.
    func makeMessage(_ type: UInt16, flags messageFlags: UInt16 = 0) -> MessageBuilder {
        var message = MessageBuilder(type: type, flags: messageFlags)
        message.appendHeader(
            makeNeighborHeader(family: family.code, index: linkIndex, state: state.rawValue, flags: flags.rawValue))
        if let destination { message.put(NeighborAttribute.destination, destination.bytes) }
        if let mac { message.put(NeighborAttribute.linkLayerAddress, mac.bytes) }
        if let vlan { message.put(NeighborAttribute.vlan, integer: vlan) }
        return message
    }

    /// Parses RTM_NEWNEIGH; nil for unknown families or malformed messages.
    init?(parsing message: NetlinkMessage) {
        let header = message.payload
        guard message.type == MessageType.newNeighbor, let code = header.integer(at: 0, as: UInt8.self),
            let index = header.integer(at: 4, as: Int32.self), let state = header.integer(at: 8, as: UInt16.self),
            let flags = header.integer(at: 10, as: UInt8.self)
        else { return nil }
        let family: NeighborFamily
        switch code {
        case Family.inet: family = .ipv4
        case Family.inet6: family = .ipv6
        case Family.bridge: family = .bridge
        default: return nil
        }
        let attributes = message.attributes(afterHeader: Self.headerLength)
        self.init(
            linkIndex: index,
            destination: attributes.first(NeighborAttribute.destination).flatMap {
                IPAddress(bytes: Array($0.payload))
            },
            mac: attributes.first(NeighborAttribute.linkLayerAddress).flatMap { MACAddress(bytes: Array($0.payload)) },
            family: family, state: NeighborState(rawValue: state), flags: NeighborFlags(rawValue: flags))
        vlan = attributes.first(NeighborAttribute.vlan)?.uint16
    }
}

extension NetlinkSocket {
    /// Adds a neighbor or FDB entry. Sends RTM_NEWNEIGH with NLM_F_CREATE | NLM_F_EXCL.
    public func addNeighbor(_ neighbor: Neighbor) throws(NetlinkError) {
        let message = neighbor.makeMessage(MessageType.newNeighbor, flags: MessageFlags.create | MessageFlags.exclusive)
        _ = try execute(message, operation: "RTM_NEWNEIGH \(Self.describe(neighbor))")
    }

    /// Adds or updates a neighbor or FDB entry. Sends RTM_NEWNEIGH with NLM_F_CREATE | NLM_F_REPLACE.
    public func replaceNeighbor(_ neighbor: Neighbor) throws(NetlinkError) {
        let message = neighbor.makeMessage(MessageType.newNeighbor, flags: MessageFlags.create | MessageFlags.replace)
        _ = try execute(message, operation: "RTM_NEWNEIGH replace \(Self.describe(neighbor))")
    }

    /// Deletes a neighbor or FDB entry. Sends RTM_DELNEIGH; a missing entry throws an error whose `isNotFound`
    /// is true.
    public func deleteNeighbor(_ neighbor: Neighbor) throws(NetlinkError) {
        _ = try execute(
            neighbor.makeMessage(MessageType.delNeighbor), operation: "RTM_DELNEIGH \(Self.describe(neighbor))")
    }

    /// Neighbor (or, with `.bridge`, FDB) entries, optionally of one link. Sends an RTM_GETNEIGH dump.
    public func neighbors(family: NeighborFamily, linkIndex: Int32? = nil) throws(NetlinkError) -> [Neighbor] {
        var message = MessageBuilder(type: MessageType.getNeighbor, flags: 0)
        message.appendHeader(makeNeighborHeader(family: family.code, index: 0, state: 0, flags: 0))
        return try dump(message, operation: "RTM_GETNEIGH dump").compactMap(Neighbor.init(parsing:)).filter {
            $0.family == family && (linkIndex == nil || $0.linkIndex == linkIndex)
        }
    }

    private static func describe(_ neighbor: Neighbor) -> String {
        (neighbor.destination.map { "\($0) " } ?? "") + (neighbor.mac.map { "lladdr \($0) " } ?? "")
            + "index \(neighbor.linkIndex)"
    }
}
