import Addressing
import CNI
import Netlink

/// Where a gateway address goes and what the ADD reported about it.
struct GatewayRequest {
    var gateways: Gateways
    /// The link that gets the addresses: the bridge, or `<bridge>.<vlan>` with a VLAN.
    var link: Link
    var bridgeIndex: Int32
    /// Ports this ADD made (its host veth, a VLAN gateway's peer): not counted as users of the bridge when
    /// deciding about a stale address.
    var ownPorts: [Int32]
    var forceAddress: Bool
    /// Global addresses on `link` before this ADD touched it.
    var existing: [IPNetwork]
}

extension HostNetwork {
    /// Puts every gateway address on the link (the reference's `ensureAddr`), then enables forwarding.
    ///
    /// An IPv4 address that differs (or an overlapping IPv6 one) is replaced when `forceAddress` is set, and also
    /// when no other port is attached to the bridge: nothing uses the stale address then, and keeping it would fail
    /// every ADD forever (the most reported failure, cni.md §4 item 1). The replacement is logged on stderr. With
    /// other ports attached the ADD fails with the reference's message plus a hint.
    func ensureGatewayAddresses(_ request: GatewayRequest, log: (String) -> Void) throws {
        var request = request
        for address in request.gateways.bridgeAddresses {
            let removed = try ensureAddress(address, request, log: log)
            request.existing.removeAll { removed.contains($0) }
        }
        try HostNetwork.enableForwarding(request.gateways.forwardingFamilies)
    }

    /// Returns the stale addresses it removed.
    private func ensureAddress(_ wanted: IPNetwork, _ request: GatewayRequest, log: (String) -> Void) throws
        -> [IPNetwork]
    {
        let link = request.link
        let existing = request.existing.filter { $0.family == wanted.family }
        if existing.contains(wanted) { return [] }
        let conflicting = existing.filter {
            wanted.family == .v4 || $0.contains(wanted.address) || wanted.contains($0.address)
        }
        if !conflicting.isEmpty {
            let others = request.forceAddress ? 0 : try otherPorts(request)
            guard request.forceAddress || others == 0 else {
                throw BridgeError.bridgeAddressConflict(
                    bridge: link.name, wanted: "\(wanted)",
                    existing: conflicting.map(\.description).joined(separator: ", "),
                    otherPorts: others)
            }
            for stale in conflicting {
                if !request.forceAddress {
                    log(
                        "bridge: replacing stale address \(stale) on \"\(link.name)\" with \(wanted): no pods are attached"
                    )
                }
                try deleteAddressIfPresent(stale, linkIndex: link.index)
            }
        }
        try addAddressIfAbsent(wanted, linkIndex: link.index)
        // Pin the bridge MAC: otherwise it follows the lowest port MAC and changes as pods come and go. The current
        // MAC is re-read: a bridge whose last port went away reports 00:00:00:00:00:00 until a port joins, and
        // pinning that fails (the reference fails ADD there with "could not set bridge's mac").
        if let mac = try nl.link(index: link.index)?.mac, mac.isUsableUnicast {
            try nl.setMAC(mac, linkIndex: link.index)
        }
        return conflicting
    }

    private func createIfFree(_ name: String, mtu: UInt32?, peer: VethPeer) throws(NetlinkError) -> Link? {
        do {
            return try nl.createVeth(named: name, mtu: mtu, queues: VethPair.queues, peer: peer)
        } catch let error where error.isExists {
            return nil
        }
    }

    private func deleteAddressIfPresent(_ address: IPNetwork, linkIndex: Int32) throws(NetlinkError) {
        do { try nl.deleteAddress(address, linkIndex: linkIndex) } catch let error where error.isNotFound {
            // Removed concurrently: the goal is reached.
        }
    }

    private func addAddressIfAbsent(_ address: IPNetwork, linkIndex: Int32) throws(NetlinkError) {
        do { try nl.addAddress(address, linkIndex: linkIndex) } catch let error where error.isExists {
            // Added by a concurrent ADD for the same network.
        }
    }

    /// Ports of the bridge other than the ones this ADD made.
    private func otherPorts(_ request: GatewayRequest) throws -> Int {
        try nl.links().filter { $0.masterIndex == request.bridgeIndex && !request.ownPorts.contains($0.index) }.count
    }

    /// `<bridge>.<vlan>`: a veth in the host namespace whose peer is a bridge port with `vlan` as PVID, carrying the
    /// gateway address for that VLAN (the reference's `ensureVlanInterface`). Returns it and whether it was created.
    func ensureVLANGateway(_ bridge: Link, _ config: BridgeConfig) throws -> (link: Link, created: Bool) {
        let name = "\(bridge.name).\(config.vlan)"
        if let existing = try nl.link(named: name) { return (existing, false) }
        let mtu = bridge.mtu == 0 ? nil : bridge.mtu
        var created: (link: Link, peer: String)?
        for _ in 0..<10 where created == nil {
            let peer = VethName.random()
            let peerRequest = VethPeer(name: peer, mtu: mtu, queues: VethPair.queues)
            if let link = try createIfFree(name, mtu: mtu, peer: peerRequest) {
                created = (link, peer)
            } else if let raced = try nl.link(named: name) {
                return (raced, false)
            }
        }
        guard let (createdLink, peer) = created else { throw BridgeError.vethNamesExhausted }
        var portConfig = config
        (portConfig.hairpinMode, portConfig.portIsolation, portConfig.vlanTrunk) = (false, false, [])
        _ = try attachPort(peer, to: bridge, portConfig)
        try nl.setUp(linkIndex: createdLink.index)
        let link = try nl.requireLink(named: name)
        return (link, true)
    }
}

/// Host veth names: `veth` + 8 random hex characters, as the reference (`pkg/ip.RandomVethName`).
enum VethName {
    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = UInt32.random(in: 0...UInt32.max, using: &generator)
        let hex = String(value, radix: 16)
        return "veth" + String(repeating: "0", count: 8 - hex.count) + hex
    }
}
