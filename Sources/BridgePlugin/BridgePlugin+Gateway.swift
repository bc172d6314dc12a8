import Addressing
import CNI
import Netlink

extension BridgePlugin {
    /// With `isGateway`: the gateway addresses go on the bridge (or on `<bridge>.<vlan>` with a VLAN, which is then
    /// reported as a fourth interface), and forwarding is enabled. An address this ADD added is taken off again if
    /// the ADD fails later and no other pod uses the bridge by then.
    func configureGateway(
        _ host: borrowing HostNetwork, _ bridge: Link, _ port: Link, _ gateways: Gateways, _ config: BridgeConfig,
        _ call: Invocation, into result: inout CNIResult, undo: inout UndoStack
    ) throws {
        guard !gateways.bridgeAddresses.isEmpty else { return }
        var target = bridge
        var ownPorts = [port.index]
        if config.vlan != 0 {
            let (link, created) = try step("failed to create vlan interface", on: host) {
                try $0.ensureVLANGateway(bridge, config)
            }
            if created {
                undo.push("delete \(link.name)") { try NetlinkSocket().deleteLink(index: link.index) }
            }
            if let peer = link.peerIndex { ownPorts.append(peer) }
            target = link
            result.interfaces.append(CNIResult.Interface(name: link.name, mac: link.mac?.description))
        }
        var before: [IPNetwork] = []  // per family: an unfiltered dump would list every veth's link-local address
        for family in gateways.forwardingFamilies {
            before += try host.nl.addresses(linkIndex: target.index, family: family).filter { $0.scope != .link }.map(
                \.network)
        }
        let request = GatewayRequest(
            gateways: gateways, link: target, bridgeIndex: bridge.index, ownPorts: ownPorts,
            forceAddress: config.forceAddress, existing: before)
        let added = gateways.bridgeAddresses.filter { !before.contains($0) }
        let (targetIndex, bridgeIndex) = (target.index, bridge.index)
        undo.push("remove gateway addresses \(added.map(\.description).joined(separator: ", ")) if unused") {
            let nl = try NetlinkSocket()
            let inUse = try nl.links().contains { $0.masterIndex == bridgeIndex && !ownPorts.contains($0.index) }
            guard !inUse else { return }
            for address in added { try nl.deleteAddress(address, linkIndex: targetIndex) }
        }
        let context =
            config.vlan != 0 ? "failed to set vlan interface for bridge with addr" : "failed to set bridge addr"
        try step(context, on: host) { try $0.ensureGatewayAddresses(request, log: call.log) }
    }
}
