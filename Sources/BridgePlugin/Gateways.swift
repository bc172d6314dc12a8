public import Addressing
public import CNI

/// The gateway side of an ADD, computed from the IPAM result before anything is configured (cni.md §2.2 step 7).
public struct Gateways: Sendable, Equatable {
    /// Addresses (gateway IP with the container subnet's prefix) to put on the bridge, IPv4 first, no duplicates.
    public var bridgeAddresses: [IPNetwork] = []

    /// Families that get a gateway on the bridge, hence forwarding.
    public var forwardingFamilies: [IPFamily] {
        [IPFamily.v4, .v6].filter { family in bridgeAddresses.contains { $0.family == family } }
    }

    /// Rewrites the IPAM result the way the reference does, and returns what the bridge needs:
    /// - every IP gets `interface = 2` (the container interface in `[bridge, host veth, container]`);
    /// - with `isGateway`, an IP without a gateway gets the first address of its subnet;
    /// - with `isDefaultGateway`, a family with no default route that has a gateway gets `0.0.0.0/0` (`::/0`)
    ///   via the gateway of the family's first IP;
    /// - with `isGateway`, each IP's gateway (with the IP's prefix length) goes on the bridge.
    public static func apply(to result: inout CNIResult, _ config: BridgeConfig) -> Gateways {
        var gateways = Gateways()
        var defaultRouteFound: [IPFamily] = []
        var v4: [IPNetwork] = []
        var v6: [IPNetwork] = []
        for i in result.ips.indices {
            var ip = result.ips[i]
            let family = ip.address.family
            ip.interface = 2
            if ip.gateway == nil, config.isGateway {
                ip.gateway = ip.address.networkAddress.next
            }
            if config.isDefaultGateway, !defaultRouteFound.contains(family) {
                let hasDefault = result.routes.contains {
                    $0.gateway != nil && $0.destination.family == family && $0.destination.isDefaultRoute
                }
                if !hasDefault {
                    result.routes.append(CNIResult.Route(destination: .defaultRoute(family), gateway: ip.gateway))
                }
                defaultRouteFound.append(family)
            }
            if config.isGateway, let gateway = ip.gateway,
                let onBridge = IPNetwork(address: gateway, prefixLength: ip.address.prefixLength)
            {
                if family == .v4 {
                    if !v4.contains(onBridge) { v4.append(onBridge) }
                } else if !v6.contains(onBridge) {
                    v6.append(onBridge)
                }
            }
            result.ips[i] = ip
        }
        gateways.bridgeAddresses = v4 + v6
        return gateways
    }
}
