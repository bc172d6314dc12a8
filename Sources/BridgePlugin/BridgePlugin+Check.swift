import Addressing
public import CNI
import NetNS
import Netlink

extension BridgePlugin {
    /// CHECK: IPAM CHECK, then everything prevResult lists against the system: the bridge (exists, is a bridge, MAC,
    /// promisc), the container interface (veth, MAC, sandbox), the host veth (its peer is the container interface,
    /// its master the bridge, MAC), container addresses and routes, and the masquerade rules when ipMasq is on.
    public func check(_ call: Invocation) throws {
        let config = try BridgeConfig(parsing: call.config, environmentArgs: call.args)
        let container = try ContainerNetwork(path: call.netns, ifName: call.ifName)
        if config.isLayer3 { _ = try delegates.run(config.ipamType ?? "", .check, stdin: call.config.bytes, for: call) }
        guard let raw = call.config.prevResult else {
            throw CNIError(.invalidNetworkConfig, "Required prevResult missing")
        }
        let previous = try CNIResult(parsing: raw)
        guard let bridgeEntry = previous.interfaces.first(where: { $0.name == config.bridgeName }) else {
            throw BridgeError.checkFailed("CNI created bridge \(config.bridgeName) in host namespace was not found")
        }
        let isContainerEntry = { (entry: CNIResult.Interface) in
            entry.name == call.ifName && entry.sandbox == call.netns
        }
        guard let containerEntry = previous.interfaces.first(where: isContainerEntry) else {
            throw BridgeError.checkFailed("CNI created interface in container \(call.ifName) not found")
        }
        let host = try HostNetwork()
        let bridge = try checkBridge(host, bridgeEntry, config)
        let containerLink = try container.checkInterface(containerEntry, previous)
        try checkHostVeth(host, previous, bridge: bridge, container: containerLink, config)
        if config.ipMasq, config.isLayer3 {
            let backend = masquerade.backend(config.ipMasqBackend)
            let problems = try masquerade.problems(backend, previous.ips.map(\.address), for: owner(call))
            if !problems.isEmpty { throw BridgeError.checkFailed(problems.joined(separator: "; ")) }
        }
    }

    private func checkBridge(_ host: borrowing HostNetwork, _ entry: CNIResult.Interface, _ config: BridgeConfig) throws
        -> Link
    {
        guard let link = try host.nl.link(named: entry.name) else {
            throw BridgeError.checkFailed("Interface name \(entry.name) not found")
        }
        guard link.kind == "bridge" else {
            throw BridgeError.checkFailed("Interface \(entry.name) does not have link type of bridge")
        }
        if let mac = entry.mac, !mac.isEmpty, mac != link.mac?.description {
            throw BridgeError.checkFailed("Bridge interface \(entry.name) Mac doesn't match: \(mac)")
        }
        if link.isPromiscuous != config.promiscMode {
            throw BridgeError.checkFailed(
                "Bridge interface \(entry.name) configured Promisc Mode \(config.promiscMode) doesn't match current state: \(link.isPromiscuous)"
            )
        }
        return link
    }

    /// Some other interface of prevResult must be a host veth whose peer is the container interface and whose
    /// master is the bridge.
    private func checkHostVeth(
        _ host: borrowing HostNetwork, _ previous: CNIResult, bridge: Link, container: Link, _ config: BridgeConfig
    ) throws {
        for entry in previous.interfaces where entry.name != bridge.name && entry.sandbox == nil {
            guard let link = try host.nl.link(named: entry.name), link.kind == "veth",
                link.index == container.peerIndex, link.peerIndex == container.index, link.masterIndex == bridge.index
            else { continue }
            if let mac = entry.mac, !mac.isEmpty, mac != link.mac?.description {
                throw BridgeError.checkFailed("Interface \(entry.name) Mac doesn't match: \(mac) not found")
            }
            return
        }
        throw BridgeError.checkFailed("CNI veth created for bridge \(config.bridgeName) was not found")
    }
}

extension ContainerNetwork {
    /// The container interface must exist, be a veth with the listed MAC, and carry prevResult's addresses and routes.
    func checkInterface(_ entry: CNIResult.Interface, _ previous: CNIResult) throws -> Link {
        try netns.run {
            let nl = try NetlinkSocket()
            guard let link = try nl.link(named: entry.name) else {
                throw BridgeError.checkFailed("Interface name \(entry.name) not found")
            }
            guard link.kind == "veth" else {
                throw BridgeError.checkFailed("Error: Container interface \(entry.name) not of type veth")
            }
            if let mac = entry.mac, !mac.isEmpty, mac != link.mac?.description {
                throw BridgeError.checkFailed(
                    "Interface \(entry.name) Mac \(mac) doesn't match container Mac: \(link.mac?.description ?? "none")"
                )
            }
            let present = Set(try nl.addresses(linkIndex: link.index).map(\.network))
            for ip in previous.ips where !present.contains(ip.address) {
                throw BridgeError.checkFailed("Failed to match addr \(ip.address) on interface \(entry.name)")
            }
            let routes = try nl.routes(table: nil)
            for expected in previous.routes {
                let found = routes.contains {
                    $0.destination == expected.destination.network
                        && (expected.gateway == nil || $0.gateway == expected.gateway)
                }
                if !found {
                    throw BridgeError.checkFailed(
                        "Failed to find a route for \(expected.destination) via \(expected.gateway.map { "\($0)" } ?? "-")"
                    )
                }
            }
            return link
        }
    }
}
