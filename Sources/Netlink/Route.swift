public import Addressing

/// A route (`struct rtmsg` plus RTA_* attributes), used both to make requests and to report dumps.
public struct Route: Hashable, Sendable {
    /// Well-known routing tables (`RT_TABLE_*`).
    public static let mainTable: UInt32 = 254
    public static let localTable: UInt32 = 255

    /// RTA_DST with `rtm_dst_len`; a /0 prefix is the default route.
    public var destination: IPNetwork
    /// RTA_GATEWAY.
    public var gateway: IPAddress?
    /// RTA_OIF.
    public var outputLinkIndex: Int32?
    /// RTA_PRIORITY (the metric).
    public var priority: UInt32?
    /// RTA_TABLE (and `rtm_table` when it fits in a byte).
    public var table: UInt32
    /// `rtm_scope`; nil in a request picks what iproute2 picks: link without a gateway, universe with one,
    /// nowhere (match any) when deleting.
    public var scope: Scope?
    /// RTNH_F_ONLINK in `rtm_flags`: the gateway is on-link even if no prefix covers it.
    public var onLink: Bool
    /// RTAX_MTU inside RTA_METRICS.
    public var mtu: UInt32?
    /// RTAX_ADVMSS inside RTA_METRICS.
    public var advertisedMSS: UInt32?
    /// RTA_PREFSRC.
    public var preferredSource: IPAddress?
    /// `rtm_protocol` (`RTPROT_*`: 2 kernel, 3 boot, 4 static). Requests default to boot, like iproute2.
    public var routingProtocol: UInt8
    /// `rtm_type` (`RTN_*`: 1 unicast, 2 local, 3 broadcast, 6 blackhole, 7 unreachable, 8 prohibit).
    public var type: UInt8

    public init(
        destination: IPNetwork, gateway: IPAddress? = nil, outputLinkIndex: Int32? = nil, priority: UInt32? = nil,
        table: UInt32 = Route.mainTable, scope: Scope? = nil, onLink: Bool = false, mtu: UInt32? = nil,
        advertisedMSS: UInt32? = nil, preferredSource: IPAddress? = nil
    ) {
        self.destination = destination
        self.gateway = gateway
        self.outputLinkIndex = outputLinkIndex
        self.priority = priority
        self.table = table
        self.scope = scope
        self.onLink = onLink
        self.mtu = mtu
        self.advertisedMSS = advertisedMSS
        self.preferredSource = preferredSource
        self.routingProtocol = 3  // RTPROT_BOOT
        self.type = 1  // RTN_UNICAST
    }
}

extension NetlinkSocket {
    /// Adds a route. Sends RTM_NEWROUTE with NLM_F_CREATE | NLM_F_EXCL (an existing route throws an error whose
    /// `isExists` is true).
    public func addRoute(_ route: Route) throws(NetlinkError) {
        try sendRoute(route, MessageType.newRoute, MessageFlags.create | MessageFlags.exclusive, "RTM_NEWROUTE")
    }

    /// Adds or overwrites a route. Sends RTM_NEWROUTE with NLM_F_CREATE | NLM_F_REPLACE.
    public func replaceRoute(_ route: Route) throws(NetlinkError) {
        try sendRoute(route, MessageType.newRoute, MessageFlags.create | MessageFlags.replace, "RTM_NEWROUTE replace")
    }

    /// Adds another next hop for an existing destination (ECMP, IPv6). Sends RTM_NEWROUTE with
    /// NLM_F_CREATE | NLM_F_APPEND.
    public func appendRoute(_ route: Route) throws(NetlinkError) {
        try sendRoute(route, MessageType.newRoute, MessageFlags.create | MessageFlags.append, "RTM_NEWROUTE append")
    }

    /// Deletes a route. Sends RTM_DELROUTE; a missing route throws an error whose `isNotFound` is true.
    public func deleteRoute(_ route: Route) throws(NetlinkError) {
        try sendRoute(route, MessageType.delRoute, 0, "RTM_DELROUTE")
    }

    /// Routes of one family (or both), in one table (nil: all tables), optionally only via one output link.
    /// Sends an RTM_GETROUTE dump.
    public func routes(family: IPFamily? = nil, table: UInt32? = Route.mainTable, linkIndex: Int32? = nil)
        throws(NetlinkError) -> [Route]
    {
        var message = MessageBuilder(type: MessageType.getRoute, flags: 0)
        let code = family.map { $0 == .v4 ? Family.inet : Family.inet6 } ?? Family.unspecified
        message.appendHeader(RouteHeader(family: code).bytes)
        return try dump(message, operation: "RTM_GETROUTE dump").compactMap(Route.init(parsing:)).filter {
            (table == nil || $0.table == table) && (linkIndex == nil || $0.outputLinkIndex == linkIndex)
        }
    }

    private func sendRoute(_ route: Route, _ type: UInt16, _ flags: UInt16, _ name: String) throws(NetlinkError) {
        let operation = "\(name) \(route.destination)" + (route.gateway.map { " via \($0)" } ?? "")
        let message = try route.makeMessage(type, flags: flags)
        _ = try execute(message, operation: operation)
    }
}
