/// Flags for bridge VLAN requests: `pvid`/`untagged` go into `struct bridge_vlan_info`, `master`/`deviceSelf`
/// into IFLA_BRIDGE_FLAGS (which device the kernel configures).
public struct BridgeVLANFlags: OptionSet, Hashable, Sendable {
    /// The raw kernel value.
    public let rawValue: UInt8
    /// A value from raw kernel bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// BRIDGE_VLAN_INFO_PVID: untagged ingress frames are assigned this VLAN.
    public static let pvid = BridgeVLANFlags(rawValue: 1 << 0)
    /// BRIDGE_VLAN_INFO_UNTAGGED: egress frames leave this port untagged.
    public static let untagged = BridgeVLANFlags(rawValue: 1 << 1)
    /// BRIDGE_FLAGS_MASTER: configure the port on its bridge (the default when neither this nor `deviceSelf` is set).
    public static let master = BridgeVLANFlags(rawValue: 1 << 2)
    /// BRIDGE_FLAGS_SELF (iproute2's `self`): configure the device itself; needed for the bridge's own port.
    public static let deviceSelf = BridgeVLANFlags(rawValue: 1 << 3)
}

/// One VLAN of a bridge port (`struct bridge_vlan_info` in IFLA_AF_SPEC of an AF_BRIDGE RTM_NEWLINK).
public struct BridgeVLAN: Hashable, Sendable {
    /// The VLAN id (`bridge_vlan_info.vid`), 1...4094.
    public var id: UInt16
    /// Only `.pvid` and `.untagged` are reported.
    public var flags: BridgeVLANFlags

    /// A VLAN entry.
    public init(id: UInt16, flags: BridgeVLANFlags = []) {
        self.id = id
        self.flags = flags
    }
}

extension NetlinkSocket {
    /// Sets hairpin (reflective relay) mode on a bridge port. Sends RTM_SETLINK, family AF_BRIDGE, with
    /// IFLA_PROTINFO { IFLA_BRPORT_MODE }. Read it back from `Link.bridgePort?.hairpin`.
    public func setHairpin(_ enabled: Bool, portIndex: Int32) throws(NetlinkError) {
        try setPortFlag(LinkAttribute.portMode, enabled, portIndex: portIndex, operation: "hairpin")
    }

    /// Isolates a bridge port (it only forwards to non-isolated ports). Sends RTM_SETLINK, family AF_BRIDGE, with
    /// IFLA_PROTINFO { IFLA_BRPORT_ISOLATED }. Read it back from `Link.bridgePort?.isolated`.
    public func setIsolated(_ enabled: Bool, portIndex: Int32) throws(NetlinkError) {
        try setPortFlag(LinkAttribute.portIsolated, enabled, portIndex: portIndex, operation: "isolated")
    }

    /// Adds VLAN `id` to a bridge port. Sends RTM_SETLINK, family AF_BRIDGE, with IFLA_AF_SPEC
    /// { IFLA_BRIDGE_FLAGS?, IFLA_BRIDGE_VLAN_INFO }. Needs a bridge with VLAN filtering for traffic to be filtered.
    public func addVLAN(_ id: UInt16, linkIndex: Int32, flags: BridgeVLANFlags = []) throws(NetlinkError) {
        let message = Self.makeVLANMessage(MessageType.setLink, id, linkIndex: linkIndex, flags: flags)
        _ = try execute(message, operation: "RTM_SETLINK bridge vlan add \(id) index \(linkIndex)")
    }

    /// Removes VLAN `id` from a bridge port. Sends RTM_DELLINK, family AF_BRIDGE, with IFLA_AF_SPEC
    /// { IFLA_BRIDGE_FLAGS?, IFLA_BRIDGE_VLAN_INFO }.
    public func deleteVLAN(_ id: UInt16, linkIndex: Int32, flags: BridgeVLANFlags = []) throws(NetlinkError) {
        let message = Self.makeVLANMessage(MessageType.delLink, id, linkIndex: linkIndex, flags: flags)
        _ = try execute(message, operation: "RTM_DELLINK bridge vlan del \(id) index \(linkIndex)")
    }

    /// The VLANs configured on a bridge port (or on the bridge itself). Sends an RTM_GETLINK dump, family AF_BRIDGE,
    /// with IFLA_EXT_MASK RTEXT_FILTER_BRVLAN, and keeps the entry for `linkIndex`.
    public func vlans(linkIndex: Int32) throws(NetlinkError) -> [BridgeVLAN] {
        var message = MessageBuilder(type: MessageType.getLink, flags: 0)
        message.appendHeader(makeInterfaceInfoHeader(family: Family.bridge))
        message.put(LinkAttribute.extMask, integer: BridgeAttribute.filterBridgeVLAN)
        let replies = try dump(message, operation: "RTM_GETLINK bridge vlan dump")
        return replies.flatMap { Self.parseVLANs($0, linkIndex: linkIndex) }
    }

    static func makeVLANMessage(_ type: UInt16, _ id: UInt16, linkIndex: Int32, flags: BridgeVLANFlags)
        -> MessageBuilder
    {
        var message = MessageBuilder(type: type, flags: 0)
        message.appendHeader(makeInterfaceInfoHeader(family: Family.bridge, index: linkIndex))
        message.nest(LinkAttribute.afSpec, flagged: true) { spec in
            var bridgeFlags: UInt16 = 0
            if flags.contains(.master) { bridgeFlags |= BridgeAttribute.flagsMaster }
            if flags.contains(.deviceSelf) { bridgeFlags |= BridgeAttribute.flagsSelf }
            if bridgeFlags != 0 { spec.put(BridgeAttribute.flags, integer: bridgeFlags) }
            var info: [UInt8] = []
            var infoFlags: UInt16 = 0
            if flags.contains(.pvid) { infoFlags |= BridgeAttribute.vlanInfoPVID }
            if flags.contains(.untagged) { infoFlags |= BridgeAttribute.vlanInfoUntagged }
            info.appendInteger(infoFlags)  // bridge_vlan_info.flags
            info.appendInteger(id)  // bridge_vlan_info.vid
            spec.put(BridgeAttribute.vlanInfo, info)
        }
        return message
    }

    /// The IFLA_BRIDGE_VLAN_INFO entries of one AF_BRIDGE RTM_NEWLINK message, if it describes `linkIndex`.
    static func parseVLANs(_ message: NetlinkMessage, linkIndex: Int32) -> [BridgeVLAN] {
        guard message.type == MessageType.newLink, message.payload.integer(at: 4, as: Int32.self) == linkIndex,
            let spec = message.attributes(afterHeader: Link.headerLength).first(LinkAttribute.afSpec)
        else { return [] }
        return spec.nested.all(BridgeAttribute.vlanInfo).compactMap { attribute in
            guard let raw = attribute.payload.integer(at: 0, as: UInt16.self),
                let id = attribute.payload.integer(at: 2, as: UInt16.self)
            else { return nil }
            var flags: BridgeVLANFlags = []
            if raw & BridgeAttribute.vlanInfoPVID != 0 { flags.insert(.pvid) }
            if raw & BridgeAttribute.vlanInfoUntagged != 0 { flags.insert(.untagged) }
            return BridgeVLAN(id: id, flags: flags)
        }
    }

    private func setPortFlag(_ attribute: UInt16, _ enabled: Bool, portIndex: Int32, operation: String)
        throws(NetlinkError)
    {
        var message = MessageBuilder(type: MessageType.setLink, flags: 0)
        message.appendHeader(makeInterfaceInfoHeader(family: Family.bridge, index: portIndex))
        message.nest(LinkAttribute.protinfo, flagged: true) { $0.put(attribute, integer: UInt8(enabled ? 1 : 0)) }
        _ = try execute(message, operation: "RTM_SETLINK bridge port index \(portIndex) \(operation) \(enabled)")
    }
}
