import Addressing

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
        if let outputLinkIndex { message.put(RouteAttribute.outputInterface, integer: UInt32(bitPattern: outputLinkIndex)) }
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
