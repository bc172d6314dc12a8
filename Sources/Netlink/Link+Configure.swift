public import Addressing

extension NetlinkSocket {
    /// Sets the link administratively up. Sends RTM_SETLINK with IFF_UP in `ifi_flags` and `ifi_change`.
    public func setUp(linkIndex: Int32) throws(NetlinkError) {
        try setFlags(NetlinkConstant.interfaceUp, on: true, linkIndex: linkIndex, operation: "up")
    }

    /// Sets the link administratively down. Sends RTM_SETLINK clearing IFF_UP.
    public func setDown(linkIndex: Int32) throws(NetlinkError) {
        try setFlags(NetlinkConstant.interfaceUp, on: false, linkIndex: linkIndex, operation: "down")
    }

    /// Turns promiscuous mode on or off. Sends RTM_SETLINK with IFF_PROMISC in `ifi_change`.
    public func setPromiscuous(_ enabled: Bool, linkIndex: Int32) throws(NetlinkError) {
        try setFlags(NetlinkConstant.interfacePromiscuous, on: enabled, linkIndex: linkIndex, operation: "promisc")
    }

    /// Sets the MTU. Sends RTM_SETLINK with IFLA_MTU.
    public func setMTU(_ mtu: UInt32, linkIndex: Int32) throws(NetlinkError) {
        try setAttribute(linkIndex: linkIndex, operation: "mtu \(mtu)") { $0.put(LinkAttribute.mtu, integer: mtu) }
    }

    /// Sets the hardware address. Sends RTM_SETLINK with IFLA_ADDRESS.
    public func setMAC(_ mac: MACAddress, linkIndex: Int32) throws(NetlinkError) {
        try setAttribute(linkIndex: linkIndex, operation: "address \(mac)") { $0.put(LinkAttribute.address, mac.bytes) }
    }

    /// Enslaves the link to a bridge (or bond), or releases it when `masterIndex` is nil (`nomaster`).
    /// Sends RTM_SETLINK with IFLA_MASTER (0 for none).
    public func setMaster(_ masterIndex: Int32?, linkIndex: Int32) throws(NetlinkError) {
        let master = masterIndex ?? 0
        try setAttribute(linkIndex: linkIndex, operation: "master \(master)") {
            $0.put(LinkAttribute.master, integer: UInt32(bitPattern: master))
        }
    }

    /// Renames a link (it must be down). Sends RTM_SETLINK with IFLA_IFNAME.
    public func rename(linkIndex: Int32, to name: String) throws(NetlinkError) {
        try setAttribute(linkIndex: linkIndex, operation: "name \(name)") { $0.put(LinkAttribute.ifname, string: name) }
    }

    /// Moves a link into the namespace behind `namespaceFD`. Sends RTM_SETLINK with IFLA_NET_NS_FD.
    /// Creating veth peers in place (`VethPeer.namespaceFD`) is cheaper than moving them.
    public func moveLink(index linkIndex: Int32, toNamespaceFD namespaceFD: Int32) throws(NetlinkError) {
        try setAttribute(linkIndex: linkIndex, operation: "netns") {
            $0.put(LinkAttribute.netNSFD, integer: UInt32(bitPattern: namespaceFD))
        }
    }

    /// Turns VLAN filtering on an existing bridge on or off. Sends RTM_NEWLINK (no NLM_F_CREATE) with IFLA_LINKINFO
    /// kind "bridge" and IFLA_BR_VLAN_FILTERING.
    public func setVLANFiltering(_ enabled: Bool, bridgeIndex: Int32) throws(NetlinkError) {
        var message = MessageBuilder(type: MessageType.newLink, flags: 0)
        message.appendHeader(makeInterfaceInfoHeader(index: bridgeIndex))
        message.nest(LinkAttribute.linkInfo) { info in
            info.put(LinkAttribute.infoKind, string: "bridge")
            info.nest(LinkAttribute.infoData) {
                $0.put(LinkAttribute.bridgeVLANFiltering, integer: UInt8(enabled ? 1 : 0))
            }
        }
        _ = try execute(message, operation: "RTM_NEWLINK index \(bridgeIndex) vlan_filtering \(enabled)")
    }

    private func setFlags(_ flag: UInt32, on: Bool, linkIndex: Int32, operation: String) throws(NetlinkError) {
        var message = MessageBuilder(type: MessageType.setLink, flags: 0)
        message.appendHeader(makeInterfaceInfoHeader(index: linkIndex, flags: on ? flag : 0, change: flag))
        _ = try execute(message, operation: "RTM_SETLINK index \(linkIndex) \(operation)")
    }

    private func setAttribute(linkIndex: Int32, operation: String, _ body: (inout MessageBuilder) -> Void)
        throws(NetlinkError)
    {
        var message = MessageBuilder(type: MessageType.setLink, flags: 0)
        message.appendHeader(makeInterfaceInfoHeader(index: linkIndex))
        body(&message)
        _ = try execute(message, operation: "RTM_SETLINK index \(linkIndex) \(operation)")
    }
}
