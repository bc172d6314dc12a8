public import Addressing

/// The peer end of a new veth pair: named, optionally with its own MTU and MAC, and optionally created directly in
/// another network namespace (VETH_INFO_PEER with IFLA_NET_NS_FD), so no later move is needed.
public struct VethPeer: Hashable, Sendable {
    /// IFLA_IFNAME of the peer.
    public var name: String
    /// IFLA_MTU of the peer; nil for the kernel default.
    public var mtu: UInt32?
    /// IFLA_ADDRESS of the peer; nil for a random address.
    public var mac: MACAddress?
    /// An open `/proc/<pid>/ns/net`-style descriptor (e.g. `NetNS.fd`); nil keeps the peer in this namespace.
    public var namespaceFD: Int32?
    /// IFLA_NUM_TX_QUEUES and IFLA_NUM_RX_QUEUES of the peer; nil for the kernel default (see `LinkRequest.queues`).
    public var queues: UInt32?

    /// A request; nil fields are left out of the message.
    public init(
        name: String, mtu: UInt32? = nil, mac: MACAddress? = nil, namespaceFD: Int32? = nil, queues: UInt32? = nil
    ) {
        self.name = name
        self.mtu = mtu
        self.mac = mac
        self.namespaceFD = namespaceFD
        self.queues = queues
    }
}

/// VXLAN device settings (`IFLA_VXLAN_*` inside IFLA_INFO_DATA), as flannel's vxlan backend uses them.
public struct VXLANOptions: Hashable, Sendable {
    /// IFLA_VXLAN_ID: the VNI.
    public var id: UInt32
    /// IFLA_VXLAN_LOCAL / IFLA_VXLAN_LOCAL6: source address of encapsulated packets.
    public var localAddress: IPAddress?
    /// IFLA_VXLAN_LINK: the underlay device.
    public var underlayIndex: Int32?
    /// IFLA_VXLAN_PORT: UDP destination port (the kernel default is 8472; IANA's is 4789).
    public var port: UInt16?
    /// IFLA_VXLAN_LEARNING: learn remote MACs from received packets (flannel turns this off).
    public var learning: Bool

    /// VXLAN settings; nil fields are left out (kernel defaults).
    public init(
        id: UInt32, localAddress: IPAddress? = nil, underlayIndex: Int32? = nil, port: UInt16? = nil,
        learning: Bool = false
    ) {
        self.id = id
        self.localAddress = localAddress
        self.underlayIndex = underlayIndex
        self.port = port
        self.learning = learning
    }
}

/// What kind of virtual link to create (IFLA_INFO_KIND plus its IFLA_INFO_DATA).
public enum LinkKind: Hashable, Sendable {
    case bridge(vlanFiltering: Bool)
    case veth(peer: VethPeer)
    case vxlan(VXLANOptions)
    case dummy

    /// The IFLA_INFO_KIND string.
    public var name: String {
        switch self {
        case .bridge: "bridge"
        case .veth: "veth"
        case .vxlan: "vxlan"
        case .dummy: "dummy"
        }
    }
}

/// A new link: name, kind and the common attributes. Sent as RTM_NEWLINK with NLM_F_CREATE | NLM_F_EXCL.
public struct LinkRequest: Hashable, Sendable {
    /// IFLA_IFNAME of the new link.
    public var name: String
    /// IFLA_INFO_KIND and its IFLA_INFO_DATA.
    public var kind: LinkKind
    /// IFLA_MTU; nil leaves the kernel default.
    public var mtu: UInt32?
    /// IFLA_ADDRESS; nil lets the kernel pick a random address.
    public var mac: MACAddress?
    /// IFLA_NUM_TX_QUEUES and IFLA_NUM_RX_QUEUES: queues allocated (and in use) from the start. nil leaves the
    /// driver's default; a veth then allocates one per possible CPU and cuts the real count to one after
    /// registering each end, and every cut waits for an expedited RCU grace period (docs/PERFORMANCE.md).
    /// Given on the veth itself, the kernel skips both cuts; give it on the peer as well, or the peer keeps
    /// one real queue per CPU.
    public var queues: UInt32?

    /// A request; nil fields are left out of the message.
    public init(name: String, kind: LinkKind, mtu: UInt32? = nil, mac: MACAddress? = nil, queues: UInt32? = nil) {
        self.name = name
        self.kind = kind
        self.mtu = mtu
        self.mac = mac
        self.queues = queues
    }
}

extension LinkRequest {
    /// RTM_NEWLINK with NLM_F_CREATE | NLM_F_EXCL, IFLA_IFNAME, IFLA_MTU, IFLA_ADDRESS, the queue counts and
    /// IFLA_LINKINFO.
    func makeMessage() -> MessageBuilder {
        var message = MessageBuilder(
            type: MessageType.newLink, flags: MessageFlags.create | MessageFlags.exclusive)
        message.appendHeader(makeInterfaceInfoHeader())
        message.put(LinkAttribute.ifname, string: name)
        if let mtu { message.put(LinkAttribute.mtu, integer: mtu) }
        if let mac { message.put(LinkAttribute.address, mac.bytes) }
        Self.appendQueues(queues, to: &message)
        message.nest(LinkAttribute.linkInfo) { info in
            info.put(LinkAttribute.infoKind, string: kind.name)
            appendKindData(to: &info)
        }
        return message
    }

    private func appendKindData(to message: inout MessageBuilder) {
        switch kind {
        case .bridge(let vlanFiltering):
            guard vlanFiltering else { return }
            message.nest(LinkAttribute.infoData) { $0.put(LinkAttribute.bridgeVLANFiltering, integer: UInt8(1)) }
        case .veth(let peer):
            message.nest(LinkAttribute.infoData) { data in
                data.nest(LinkAttribute.vethPeer) { Self.appendPeer(peer, to: &$0) }
            }
        case .vxlan(let options):
            message.nest(LinkAttribute.infoData) { Self.appendVXLAN(options, to: &$0) }
        case .dummy:
            return
        }
    }

    /// VETH_INFO_PEER's payload: a `struct ifinfomsg` followed by the peer's link attributes.
    private static func appendPeer(_ peer: VethPeer, to message: inout MessageBuilder) {
        message.appendHeader(makeInterfaceInfoHeader())
        message.put(LinkAttribute.ifname, string: peer.name)
        if let mtu = peer.mtu { message.put(LinkAttribute.mtu, integer: mtu) }
        if let mac = peer.mac { message.put(LinkAttribute.address, mac.bytes) }
        if let fd = peer.namespaceFD { message.put(LinkAttribute.netNSFD, integer: UInt32(bitPattern: fd)) }
        appendQueues(peer.queues, to: &message)
    }

    private static func appendQueues(_ queues: UInt32?, to message: inout MessageBuilder) {
        guard let queues else { return }
        message.put(LinkAttribute.numTxQueues, integer: queues)
        message.put(LinkAttribute.numRxQueues, integer: queues)
    }

    private static func appendVXLAN(_ options: VXLANOptions, to message: inout MessageBuilder) {
        message.put(LinkAttribute.vxlanID, integer: options.id)
        if let local = options.localAddress {
            message.put(local.isIPv4 ? LinkAttribute.vxlanLocal : LinkAttribute.vxlanLocal6, local.bytes)
        }
        if let underlay = options.underlayIndex {
            message.put(LinkAttribute.vxlanLink, integer: UInt32(bitPattern: underlay))
        }
        if let port = options.port { message.put(LinkAttribute.vxlanPort, integer: port.bigEndian) }  // network order
        message.put(LinkAttribute.vxlanLearning, integer: UInt8(options.learning ? 1 : 0))
    }
}

extension NetlinkSocket {
    /// Creates a link. Sends RTM_NEWLINK with NLM_F_CREATE | NLM_F_EXCL; a name clash throws an error whose
    /// `isExists` is true (for a veth this may be either end's name).
    public func createLink(_ request: LinkRequest) throws(NetlinkError) {
        _ = try execute(request.makeMessage(), operation: "RTM_NEWLINK \(request.kind.name) \(request.name)")
    }

    /// Reuses the bridge `name` or creates it (the MTU of an existing bridge is left alone); returns it as read back.
    /// Sends RTM_GETLINK, and only when there is no such link RTM_NEWLINK kind "bridge" (IFLA_BR_VLAN_FILTERING
    /// when asked; EEXIST from a concurrent creator tolerated) and RTM_GETLINK again: one request in the usual case
    /// of an existing bridge. Throws `.wrongKind` when `name` exists but is not a bridge.
    public func ensureBridge(named name: String, mtu: UInt32? = nil, vlanFiltering: Bool = false)
        throws(NetlinkError) -> Link
    {
        var found = try link(named: name)
        if found == nil {
            do {
                try createLink(LinkRequest(name: name, kind: .bridge(vlanFiltering: vlanFiltering), mtu: mtu))
            } catch let error where error.isExists {
                // Created meanwhile by another ADD: reused below after the kind check.
            }
            found = try requireLink(named: name)
        }
        guard let link = found, link.kind == "bridge" else {
            throw .wrongKind(name: name, expected: "bridge", actual: found?.kind)
        }
        return link
    }

    /// Creates a veth pair whose end `name` lives in this socket's namespace and whose other end is created directly
    /// where `peer.namespaceFD` says; returns this side. Sends RTM_NEWLINK kind "veth" with VETH_INFO_PEER, then
    /// RTM_GETLINK. The peer is not looked up: open a socket in its namespace for that. `queues` is this end's
    /// queue count (`LinkRequest.queues`), `peer.queues` the other's.
    public func createVeth(
        named name: String, mtu: UInt32? = nil, mac: MACAddress? = nil, queues: UInt32? = nil, peer: VethPeer
    ) throws(NetlinkError) -> Link {
        try createLink(LinkRequest(name: name, kind: .veth(peer: peer), mtu: mtu, mac: mac, queues: queues))
        return try requireLink(named: name)
    }

    /// Deletes a link (both ends, for a veth). Sends RTM_DELLINK with `ifi_index`; a missing link throws an error
    /// whose `isNotFound` is true.
    public func deleteLink(index: Int32) throws(NetlinkError) {
        var message = MessageBuilder(type: MessageType.delLink, flags: 0)
        message.appendHeader(makeInterfaceInfoHeader(index: index))
        _ = try execute(message, operation: "RTM_DELLINK index \(index)")
    }

    /// Deletes the link called `name`. Sends RTM_DELLINK with IFLA_IFNAME; a missing link throws an error whose
    /// `isNotFound` is true.
    public func deleteLink(named name: String) throws(NetlinkError) {
        var message = MessageBuilder(type: MessageType.delLink, flags: 0)
        message.appendHeader(makeInterfaceInfoHeader())
        message.put(LinkAttribute.ifname, string: name)
        _ = try execute(message, operation: "RTM_DELLINK \(name)")
    }
}
