internal import CMnl

#if canImport(Glibc)
import Glibc
#endif

// Kernel constants from <linux/rtnetlink.h> and friends, re-exported as Swift values so that only the files in
// Interop/ import the C module. Values are the kernel's ABI and never change.

/// Message types (`RTM_*`, `NLMSG_*`).
enum MessageType {
    static let noop = UInt16(NLMSG_NOOP)
    static let error = UInt16(NLMSG_ERROR)
    static let done = UInt16(NLMSG_DONE)
    static let newLink = UInt16(RTM_NEWLINK)
    static let delLink = UInt16(RTM_DELLINK)
    static let getLink = UInt16(RTM_GETLINK)
    static let setLink = UInt16(RTM_SETLINK)
    static let newAddress = UInt16(RTM_NEWADDR)
    static let delAddress = UInt16(RTM_DELADDR)
    static let getAddress = UInt16(RTM_GETADDR)
    static let newRoute = UInt16(RTM_NEWROUTE)
    static let delRoute = UInt16(RTM_DELROUTE)
    static let getRoute = UInt16(RTM_GETROUTE)
    static let newNeighbor = UInt16(RTM_NEWNEIGH)
    static let delNeighbor = UInt16(RTM_DELNEIGH)
    static let getNeighbor = UInt16(RTM_GETNEIGH)
}

/// `nlmsg_flags` bits (`NLM_F_*`).
enum MessageFlags {
    static let request = UInt16(NLM_F_REQUEST)
    static let multi = UInt16(NLM_F_MULTI)
    static let ack = UInt16(NLM_F_ACK)
    static let dumpInterrupted = UInt16(NLM_F_DUMP_INTR)
    static let dump = UInt16(NLM_F_DUMP)
    static let replace = UInt16(NLM_F_REPLACE)
    static let exclusive = UInt16(NLM_F_EXCL)
    static let create = UInt16(NLM_F_CREATE)
    static let append = UInt16(NLM_F_APPEND)
}

/// Address families used in family headers.
enum Family {
    static let unspecified = UInt8(AF_UNSPEC)
    static let inet = UInt8(AF_INET)
    static let inet6 = UInt8(AF_INET6)
    static let bridge = UInt8(AF_BRIDGE)
}

/// `IFLA_*` link attributes and nested `IFLA_INFO_*`, `VETH_INFO_*`, `IFLA_BR_*`, `IFLA_BRPORT_*`, `IFLA_VXLAN_*`.
enum LinkAttribute {
    static let address = UInt16(IFLA_ADDRESS)
    static let ifname = UInt16(IFLA_IFNAME)
    static let mtu = UInt16(IFLA_MTU)
    static let link = UInt16(IFLA_LINK)
    static let master = UInt16(IFLA_MASTER)
    static let protinfo = UInt16(IFLA_PROTINFO)
    static let operState = UInt16(IFLA_OPERSTATE)
    static let linkInfo = UInt16(IFLA_LINKINFO)
    static let netNSFD = UInt16(IFLA_NET_NS_FD)
    static let extMask = UInt16(IFLA_EXT_MASK)
    static let afSpec = UInt16(IFLA_AF_SPEC)
    static let linkNetNSID = UInt16(IFLA_LINK_NETNSID)
    static let numTxQueues = UInt16(IFLA_NUM_TX_QUEUES)
    static let numRxQueues = UInt16(IFLA_NUM_RX_QUEUES)
    /// IFLA_EXT_MASK bit: leave the counters out of RTM_NEWLINK replies.
    static let skipStats = UInt32(RTEXT_FILTER_SKIP_STATS)

    static let infoKind = UInt16(IFLA_INFO_KIND)
    static let infoData = UInt16(IFLA_INFO_DATA)
    static let infoSlaveKind = UInt16(IFLA_INFO_SLAVE_KIND)
    static let infoSlaveData = UInt16(IFLA_INFO_SLAVE_DATA)

    static let vethPeer = UInt16(VETH_INFO_PEER)
    static let bridgeVLANFiltering = UInt16(IFLA_BR_VLAN_FILTERING)

    static let portState = UInt16(IFLA_BRPORT_STATE)
    static let portMode = UInt16(IFLA_BRPORT_MODE)  // hairpin
    static let portLearning = UInt16(IFLA_BRPORT_LEARNING)
    static let portIsolated = UInt16(IFLA_BRPORT_ISOLATED)

    static let vxlanID = UInt16(IFLA_VXLAN_ID)
    static let vxlanLink = UInt16(IFLA_VXLAN_LINK)
    static let vxlanLocal = UInt16(IFLA_VXLAN_LOCAL)
    static let vxlanLocal6 = UInt16(IFLA_VXLAN_LOCAL6)
    static let vxlanLearning = UInt16(IFLA_VXLAN_LEARNING)
    static let vxlanPort = UInt16(IFLA_VXLAN_PORT)
}

/// `IFLA_BRIDGE_*` inside IFLA_AF_SPEC for AF_BRIDGE messages.
enum BridgeAttribute {
    static let flags = UInt16(IFLA_BRIDGE_FLAGS)
    static let vlanInfo = UInt16(IFLA_BRIDGE_VLAN_INFO)
    static let flagsMaster = UInt16(BRIDGE_FLAGS_MASTER)
    static let flagsSelf = UInt16(BRIDGE_FLAGS_SELF)
    static let vlanInfoMaster = UInt16(BRIDGE_VLAN_INFO_MASTER)
    static let vlanInfoPVID = UInt16(BRIDGE_VLAN_INFO_PVID)
    static let vlanInfoUntagged = UInt16(BRIDGE_VLAN_INFO_UNTAGGED)
    static let filterBridgeVLAN = UInt32(RTEXT_FILTER_BRVLAN)
}

/// `IFA_*` address attributes.
enum AddressAttribute {
    static let address = UInt16(IFA_ADDRESS)
    static let local = UInt16(IFA_LOCAL)
    static let broadcast = UInt16(IFA_BROADCAST)
    static let flags = UInt16(IFA_FLAGS)
}

/// `RTA_*` route attributes and `RTAX_*` metrics.
enum RouteAttribute {
    static let destination = UInt16(RTA_DST.rawValue)
    static let outputInterface = UInt16(RTA_OIF.rawValue)
    static let gateway = UInt16(RTA_GATEWAY.rawValue)
    static let priority = UInt16(RTA_PRIORITY.rawValue)
    static let preferredSource = UInt16(RTA_PREFSRC.rawValue)
    static let metrics = UInt16(RTA_METRICS.rawValue)
    static let table = UInt16(RTA_TABLE.rawValue)
    static let metricMTU = UInt16(RTAX_MTU)
    static let metricAdvMSS = UInt16(RTAX_ADVMSS)
    static let flagOnLink = UInt32(RTNH_F_ONLINK)
    static let typeUnicast = UInt8(RTN_UNICAST)
    static let tableUnspecified = UInt8(RT_TABLE_UNSPEC.rawValue)
}

/// `NDA_*` neighbor attributes.
enum NeighborAttribute {
    static let destination = UInt16(NDA_DST)
    static let linkLayerAddress = UInt16(NDA_LLADDR)
    static let vlan = UInt16(NDA_VLAN)
}

/// Other numeric constants: interface flags, attribute type bits, sizes.
enum NetlinkConstant {
    static let attributeNested = UInt16(NLA_F_NESTED)
    static let attributeTypeMask: UInt16 = 0x3FFF  // NLA_TYPE_MASK: clears NLA_F_NESTED and NLA_F_NET_BYTEORDER
    static let interfaceUp: UInt32 = 0x1  // IFF_UP (net/if.h and linux/if.h disagree on its C type)
    static let interfacePromiscuous: UInt32 = 0x100  // IFF_PROMISC
    static let extendedAckMessage = UInt16(NLMSGERR_ATTR_MSG.rawValue)
    static let capAck = UInt16(NLM_F_CAPPED)
    static let ackTLVs = UInt16(NLM_F_ACK_TLVS)
}
