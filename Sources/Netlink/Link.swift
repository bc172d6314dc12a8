public import Addressing

/// Interface flags (`IFF_*` in `ifi_flags`).
public struct LinkFlags: OptionSet, Hashable, Sendable {
    /// The raw kernel value.
    public let rawValue: UInt32
    /// A value from raw kernel bits.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// IFF_UP (0x1).
    public static let up = LinkFlags(rawValue: 0x1)
    /// IFF_BROADCAST (0x2).
    public static let broadcast = LinkFlags(rawValue: 0x2)
    /// IFF_LOOPBACK (0x8).
    public static let loopback = LinkFlags(rawValue: 0x8)
    /// IFF_POINTOPOINT (0x10).
    public static let pointToPoint = LinkFlags(rawValue: 0x10)
    /// IFF_RUNNING (0x40).
    public static let running = LinkFlags(rawValue: 0x40)
    /// IFF_NOARP (0x80).
    public static let noARP = LinkFlags(rawValue: 0x80)
    /// IFF_PROMISC (0x100).
    public static let promiscuous = LinkFlags(rawValue: 0x100)
    /// IFF_MULTICAST (0x1000).
    public static let multicast = LinkFlags(rawValue: 0x1000)
    /// IFF_LOWER_UP (0x10000).
    public static let lowerUp = LinkFlags(rawValue: 0x10000)
}

/// RFC 2863 operational state (`IFLA_OPERSTATE`, `IF_OPER_*`).
public enum OperationalState: UInt8, Hashable, Sendable {
    case unknown = 0
    case notPresent, down, lowerLayerDown, testing, dormant, up
}

/// Bridge-port settings of a link enslaved to a bridge, read from IFLA_LINKINFO's
/// IFLA_INFO_SLAVE_DATA (`IFLA_BRPORT_*`) in an RTM_NEWLINK reply.
public struct BridgePortInfo: Hashable, Sendable {
    /// IFLA_BRPORT_STATE (`BR_STATE_*`: 0 disabled, 1 listening, 2 learning, 3 forwarding, 4 blocking).
    public var state: UInt8?
    /// IFLA_BRPORT_MODE: hairpin (reflective relay) mode.
    public var hairpin: Bool
    /// IFLA_BRPORT_ISOLATED: the port only talks to non-isolated ports.
    public var isolated: Bool
    /// IFLA_BRPORT_LEARNING.
    public var learning: Bool?
}

/// A network interface as reported by RTM_NEWLINK (the reply to RTM_GETLINK).
public struct Link: Hashable, Sendable {
    /// `ifi_index`.
    public var index: Int32
    /// IFLA_IFNAME.
    public var name: String
    /// IFLA_INFO_KIND inside IFLA_LINKINFO: `"bridge"`, `"veth"`, `"vxlan"`, `"dummy"`, ...; nil for physical devices
    /// and loopback.
    public var kind: String?
    /// IFLA_MTU.
    public var mtu: UInt32
    /// IFLA_ADDRESS when it is a 6-byte Ethernet address.
    public var mac: MACAddress?
    /// `ifi_flags`.
    public var flags: LinkFlags
    /// IFLA_OPERSTATE.
    public var operationalState: OperationalState
    /// IFLA_MASTER: the bridge (or bond) this link is enslaved to.
    public var masterIndex: Int32?
    /// IFLA_LINK: for a veth, the peer's index (in the peer's namespace when `linkNetNSID` is set).
    public var peerIndex: Int32?
    /// IFLA_LINK_NETNSID: the namespace id of the peer, as seen from this link's namespace.
    public var linkNetNSID: Int32?
    /// IFLA_BR_VLAN_FILTERING, for bridges.
    public var vlanFiltering: Bool?
    /// IFLA_INFO_SLAVE_DATA of a bridge port; nil when the link is not a bridge port.
    public var bridgePort: BridgePortInfo?

    /// IFF_UP: administratively up.
    public var isUp: Bool { flags.contains(.up) }
    /// IFF_PROMISC: promiscuous mode.
    public var isPromiscuous: Bool { flags.contains(.promiscuous) }

    /// A link value, e.g. for fakes in tests; real ones come from RTM_NEWLINK replies.
    public init(
        index: Int32, name: String, kind: String? = nil, mtu: UInt32 = 1500, mac: MACAddress? = nil,
        flags: LinkFlags = [], operationalState: OperationalState = .unknown, masterIndex: Int32? = nil,
        peerIndex: Int32? = nil, linkNetNSID: Int32? = nil
    ) {
        self.index = index
        self.name = name
        self.kind = kind
        self.mtu = mtu
        self.mac = mac
        self.flags = flags
        self.operationalState = operationalState
        self.masterIndex = masterIndex
        self.peerIndex = peerIndex
        self.linkNetNSID = linkNetNSID
    }
}

extension Link {
    static let headerLength = 16  // sizeof(struct ifinfomsg)

    /// Parses an RTM_NEWLINK message; nil when it is too short or has no name. One pass over the attributes (a
    /// link has ~50; asking for each wanted type in turn walked them a dozen times).
    init?(parsing message: NetlinkMessage) {
        guard message.type == MessageType.newLink, let index = message.payload.integer(at: 4, as: Int32.self),
            let flags = message.payload.integer(at: 8, as: UInt32.self)
        else { return nil }
        var name: String?
        self.init(index: index, name: "", mtu: 0, flags: LinkFlags(rawValue: flags))
        message.attributes(afterHeader: Self.headerLength).forEachInPlace { attribute in
            switch attribute.type {
            case LinkAttribute.ifname: name = attribute.string
            case LinkAttribute.mtu: mtu = attribute.uint32 ?? 0
            case LinkAttribute.address: mac = MACAddress(bytes: Array(attribute.payload))
            case LinkAttribute.operState:
                operationalState = attribute.uint8.flatMap(OperationalState.init) ?? .unknown
            case LinkAttribute.master: masterIndex = attribute.int32.flatMap { $0 == 0 ? nil : $0 }
            case LinkAttribute.link: peerIndex = attribute.int32
            case LinkAttribute.linkNetNSID: linkNetNSID = attribute.int32
            case LinkAttribute.linkInfo: parseLinkInfo(attribute.nested)
            default: break
            }
        }
        guard let name else { return nil }
        self.name = name
    }

    private mutating func parseLinkInfo(_ info: Attributes) {
        kind = info.first(LinkAttribute.infoKind)?.string
        if kind == "bridge", let data = info.first(LinkAttribute.infoData)?.nested {
            vlanFiltering = data.first(LinkAttribute.bridgeVLANFiltering)?.uint8.map { $0 != 0 }
        }
        if info.first(LinkAttribute.infoSlaveKind)?.string == "bridge",
            let data = info.first(LinkAttribute.infoSlaveData)?.nested
        {
            bridgePort = BridgePortInfo(
                state: data.first(LinkAttribute.portState)?.uint8,
                hairpin: data.first(LinkAttribute.portMode)?.uint8.map { $0 != 0 } ?? false,
                isolated: data.first(LinkAttribute.portIsolated)?.uint8.map { $0 != 0 } ?? false,
                learning: data.first(LinkAttribute.portLearning)?.uint8.map { $0 != 0 })
        }
    }

    /// RTM_GETLINK for one link, by index or (when `index` is 0) by IFLA_IFNAME; for all links without either.
    /// IFLA_EXT_MASK asks for no counters (RTEXT_FILTER_SKIP_STATS, Linux 4.20; older kernels ignore the bit):
    /// nothing here reads them, and summing the per-CPU device and IPv6 SNMP counters was most of the kernel's
    /// work for each reply (and ~700 of its ~1 800 bytes).
    static func makeGetRequest(index: Int32 = 0, name: String? = nil) -> MessageBuilder {
        var message = MessageBuilder(type: MessageType.getLink, flags: 0)
        message.appendHeader(makeInterfaceInfoHeader(index: index))
        if let name { message.put(LinkAttribute.ifname, string: name) }
        message.put(LinkAttribute.extMask, integer: LinkAttribute.skipStats)
        return message
    }
}

extension NetlinkSocket {
    /// The link called `name`, or nil if there is none. Sends RTM_GETLINK with IFLA_IFNAME.
    public func link(named name: String) throws(NetlinkError) -> Link? {
        try getLink(Link.makeGetRequest(name: name), operation: "RTM_GETLINK \(name)")
    }

    /// The link with ifindex `index`, or nil if there is none. Sends RTM_GETLINK with `ifi_index`.
    public func link(index: Int32) throws(NetlinkError) -> Link? {
        try getLink(Link.makeGetRequest(index: index), operation: "RTM_GETLINK index \(index)")
    }

    /// Every link in the socket's namespace. Sends an RTM_GETLINK dump (NLM_F_DUMP), restarted if interrupted.
    public func links() throws(NetlinkError) -> [Link] {
        try dump(Link.makeGetRequest(), operation: "RTM_GETLINK dump").compactMap(Link.init(parsing:))
    }

    /// The link called `name`; throws `.linkNotFound` when it does not exist. Sends RTM_GETLINK.
    public func requireLink(named name: String) throws(NetlinkError) -> Link {
        guard let link = try link(named: name) else { throw .linkNotFound(name) }
        return link
    }

    private func getLink(_ request: MessageBuilder, operation: String) throws(NetlinkError) -> Link? {
        let replies: [NetlinkMessage]
        do {
            replies = try execute(request, operation: operation)
        } catch let error where error.isNotFound {
            return nil
        }
        guard let link = replies.lazy.compactMap(Link.init(parsing:)).first else {
            throw .malformedReply(operation: operation)
        }
        return link
    }
}
