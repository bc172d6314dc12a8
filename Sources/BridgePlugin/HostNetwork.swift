import Addressing
import CNI
import Netlink
import Posix

/// The host namespace side of the plugin: the bridge, the host veth as a bridge port, gateway addresses,
/// forwarding. Runs on the calling thread, which is always in the host namespace.
struct HostNetwork: ~Copyable {
    let nl: NetlinkSocket

    init() throws(NetlinkError) { nl = try NetlinkSocket() }

    /// Creates the bridge or reuses it (type-checked); promisc when asked; VLAN filtering switched on when the
    /// config uses VLANs; `accept_ra=0`; up. The MTU of an existing bridge is left alone, as in the reference.
    func ensureBridge(_ config: BridgeConfig) throws -> Link {
        var bridge: Link
        do {
            bridge = try createBridge(config)
        } catch {
            if config.usesVLANs, error.errno == .notSupported { throw BridgeError.vlanFilteringUnsupported }
            throw error
        }
        if config.promiscMode, !bridge.isPromiscuous { try nl.setPromiscuous(true, linkIndex: bridge.index) }
        Self.setIgnoringMissing("net/ipv6/conf/\(config.bridgeName)/accept_ra", "0")
        if !bridge.isUp {
            try nl.setUp(linkIndex: bridge.index)
            bridge.flags.insert(.up)
        }
        return bridge
    }

    private func createBridge(_ config: BridgeConfig) throws(NetlinkError) -> Link {
        let bridge = try nl.ensureBridge(
            named: config.bridgeName, mtu: config.mtu.map(UInt32.init), vlanFiltering: config.usesVLANs)
        if config.usesVLANs, bridge.vlanFiltering != true { try nl.setVLANFiltering(true, bridgeIndex: bridge.index) }
        return bridge
    }

    /// Makes the host veth a port of `bridge`: master, hairpin, isolation, VLANs, `accept_ra=0`, up.
    func attachPort(_ name: String, to bridge: Link, _ config: BridgeConfig) throws -> Link {
        let port = try nl.requireLink(named: name)
        try nl.setMaster(bridge.index, linkIndex: port.index)
        if config.hairpinMode { try nl.setHairpin(true, portIndex: port.index) }
        if config.portIsolation { try nl.setIsolated(true, portIndex: port.index) }
        try configureVLANs(port: port.index, vlan: config.vlan, trunk: config.vlanTrunk, config.preserveDefaultVlan)
        Self.setIgnoringMissing("net/ipv6/conf/\(name)/accept_ra", "0")
        try nl.setUp(linkIndex: port.index)
        return try nl.requireLink(named: name)
    }

    /// The reference's VLAN setup: drop the default VLAN unless preserved, `vlan` as PVID untagged, trunk VLANs
    /// tagged, and VLAN 1 as native VLAN for a trunk without `vlan`.
    private func configureVLANs(port: Int32, vlan: Int, trunk: [Int], _ preserveDefault: Bool) throws {
        guard vlan != 0 || !trunk.isEmpty else { return }
        if !preserveDefault {
            for existing in try nl.vlans(linkIndex: port) {
                try nl.deleteVLAN(existing.id, linkIndex: port, flags: [.master])
            }
        }
        if vlan != 0 { try nl.addVLAN(UInt16(vlan), linkIndex: port, flags: [.pvid, .untagged, .master]) }
        for id in trunk { try nl.addVLAN(UInt16(id), linkIndex: port, flags: [.master]) }
        if vlan == 0 { try nl.addVLAN(1, linkIndex: port, flags: [.pvid, .untagged, .master]) }
    }

    /// Polls the host veth until its operational state is UP: at once, then in short steps for up to 2.5 s
    /// (the reference sleeps 0/50/500/1000/1000 ms).
    func waitForForwarding(_ port: Link) throws -> Link {
        let deadline = Clock.monotonicNanoseconds() + 2_550_000_000
        var delay = 1
        while true {
            // Gone (a DEL of this attachment ran meanwhile, e.g. after the runtime killed this ADD's parent): fail at
            // once; polling the old value until the deadline kept an orphaned ADD alive for 2.5 s.
            guard let current = try nl.link(index: port.index) else { throw NetlinkError.linkNotFound(port.name) }
            if current.operationalState == .up { return current }
            if Clock.monotonicNanoseconds() > deadline {
                throw BridgeError.portNotForwarding(String(describing: current.operationalState))
            }
            Clock.sleep(milliseconds: delay)
            delay = min(delay * 2, 50)
        }
    }

    /// Turns on forwarding for each family that has a gateway on the bridge (written only when not already on).
    static func enableForwarding(_ families: [IPFamily]) throws {
        for family in families {
            let key = family == .v4 ? "net/ipv4/ip_forward" : "net/ipv6/conf/all/forwarding"
            if try Sysctl.value(key) != "1" { try Sysctl.set(key, to: "1") }
        }
    }

    /// Best-effort sysctl: the key is missing when IPv6 is disabled, which is fine (the reference ignores it too).
    static func setIgnoringMissing(_ key: String, _ value: String) {
        do { try Sysctl.set(key, to: value) } catch {
            // Only ever an IPv6 knob on a host without IPv6, where it does not matter.
        }
    }
}
