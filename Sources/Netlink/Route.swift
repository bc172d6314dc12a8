public import Addressing

/// A route (`struct rtmsg` plus RTA_* attributes), used both to make requests and to report dumps.
public struct Route: Hashable, Sendable {
    /// Well-known routing tables (`RT_TABLE_*`).
    public static let mainTable: UInt32 = 254
    /// RT_TABLE_LOCAL (255).
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

    /// A route request; unset fields are left out of the message (scope: see `scope`).
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

extension Route {
    static let headerLength = 12  // sizeof(struct rtmsg)

    /// RTM_NEWROUTE / RTM_DELROUTE: `struct rtmsg`, then RTA_TABLE, RTA_DST, RTA_PRIORITY, RTA_PREFSRC, RTA_GATEWAY,
    /// RTA_OIF and RTA_METRICS { RTAX_MTU, RTAX_ADVMSS }.
    func makeMessage(_ type: UInt16, flags: UInt16) throws(NetlinkError) -> MessageBuilder {
        let family = destination.family
        for address in [gateway, preferredSource].compactMap({ $0 }) where address.family != family {
            throw .invalidArgument("\(address) is not in the address family of \(destination)")
        }
        var message = MessageBuilder(type: type, flags: flags)
        let deleting = type == MessageType.delRoute
        let defaultScope: Scope = deleting ? .nowhere : (gateway == nil ? .link : .universe)
        let header = RouteHeader(
            family: family == .v4 ? Family.inet : Family.inet6, destinationLength: UInt8(destination.prefixLength),
            table: table < 256 ? UInt8(table) : RouteAttribute.tableUnspecified,
            routingProtocol: deleting ? 0 : routingProtocol, scope: (scope ?? defaultScope).rawValue, type: self.type,
            flags: onLink ? RouteAttribute.flagOnLink : 0)
        message.appendHeader(header.bytes)
        message.put(RouteAttribute.table, integer: table)
        if destination.prefixLength > 0 { message.put(RouteAttribute.destination, destination.networkAddress.bytes) }
        if let priority { message.put(RouteAttribute.priority, integer: priority) }
        if let preferredSource { message.put(RouteAttribute.preferredSource, preferredSource.bytes) }
        if let gateway { message.put(RouteAttribute.gateway, gateway.bytes) }
        if let outputLinkIndex {
            message.put(RouteAttribute.outputInterface, integer: UInt32(bitPattern: outputLinkIndex))
        }
        if mtu != nil || advertisedMSS != nil {
            message.nest(RouteAttribute.metrics) { metrics in
                if let mtu { metrics.put(RouteAttribute.metricMTU, integer: mtu) }
                if let advertisedMSS { metrics.put(RouteAttribute.metricAdvMSS, integer: advertisedMSS) }
            }
        }
        return message
    }

    /// Parses RTM_NEWROUTE; nil for other families or malformed messages.
    init?(parsing message: NetlinkMessage) {
        let header = message.payload
        guard message.type == MessageType.newRoute, let code = header.integer(at: 0, as: UInt8.self),
            let family = IPFamilyCode(rawValue: code).map({ $0 == .inet ? IPFamily.v4 : IPFamily.v6 }),
            let prefix = header.integer(at: 1, as: UInt8.self), let table = header.integer(at: 4, as: UInt8.self),
            let routingProtocol = header.integer(at: 5, as: UInt8.self),
            let scope = header.integer(at: 6, as: UInt8.self), let type = header.integer(at: 7, as: UInt8.self),
            let flags = header.integer(at: 8, as: UInt32.self)
        else { return nil }
        let attributes = message.attributes(afterHeader: Self.headerLength)
        let zero = IPAddress(family: family, high: 0, low: 0)
        let address = attributes.first(RouteAttribute.destination).flatMap { IPAddress(bytes: Array($0.payload)) }
        guard let destination = IPNetwork(address: address ?? zero, prefixLength: Int(prefix)) else { return nil }
        self.init(
            destination: destination,
            gateway: attributes.first(RouteAttribute.gateway).flatMap { IPAddress(bytes: Array($0.payload)) },
            outputLinkIndex: attributes.first(RouteAttribute.outputInterface)?.int32,
            priority: attributes.first(RouteAttribute.priority)?.uint32,
            table: attributes.first(RouteAttribute.table)?.uint32 ?? UInt32(table), scope: Scope(rawValue: scope),
            onLink: flags & RouteAttribute.flagOnLink != 0,
            preferredSource: attributes.first(RouteAttribute.preferredSource).flatMap {
                IPAddress(bytes: Array($0.payload))
            })
        self.routingProtocol = routingProtocol
        self.type = type
        if let metrics = attributes.first(RouteAttribute.metrics)?.nested {
            mtu = metrics.first(RouteAttribute.metricMTU)?.uint32
            advertisedMSS = metrics.first(RouteAttribute.metricAdvMSS)?.uint32
        }
    }
}
