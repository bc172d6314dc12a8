import Netlink
import TestSupport
import Testing

/// Bridge-port flags and VLAN filtering, inside throw-away namespaces.
@Suite(.serialized, .enabled(if: TestEnvironment.integrationEnabled))
struct BridgeIntegrationTests {
    @Test func hairpinAndIsolationAreSetAndReadBack() throws {
        guard requireNetNS() else { return }
        let ns = try TestNamespace("nlt")
        let (on, off) = try withNetlink(in: ns) { nl in
            let bridge = try nl.ensureBridge(named: "br0")
            let port = try nl.createVeth(named: "veth0", peer: VethPeer(name: "veth1"))
            try nl.setMaster(bridge.index, linkIndex: port.index)
            try nl.setHairpin(true, portIndex: port.index)
            try nl.setIsolated(true, portIndex: port.index)
            let on = try nl.requireLink(named: "veth0").bridgePort
            try nl.setHairpin(false, portIndex: port.index)
            let off = try nl.requireLink(named: "veth0").bridgePort
            try nl.setHairpin(true, portIndex: port.index)  // left on for the sysfs cross-check
            return (on, off)
        }
        #expect(on?.hairpin == true && on?.isolated == true)
        #expect(off?.hairpin == false && off?.isolated == true)
        let sysfs = try ns.exec(["cat", "/sys/class/net/veth0/brport/hairpin_mode"]).stdout
        #expect(String(decoding: sysfs, as: UTF8.self) == "1\n")
    }

    @Test(.enabled(if: KernelSupport.bridgeVLANFiltering, "kernel without CONFIG_BRIDGE_VLAN_FILTERING"))
    func vlanFilteringAndPortVLANs() throws {
        guard requireNetNS() else { return }
        let ns = try TestNamespace("nlt")
        let (bridge, initial, configured, afterDelete, filteringOff) = try withNetlink(in: ns) { nl in
            let bridge = try nl.ensureBridge(named: "br0", vlanFiltering: true)
            let port = try nl.createVeth(named: "veth0", peer: VethPeer(name: "veth1"))
            try nl.setMaster(bridge.index, linkIndex: port.index)
            let initial = try nl.vlans(linkIndex: port.index)
            try nl.deleteVLAN(1, linkIndex: port.index)
            try nl.addVLAN(100, linkIndex: port.index, flags: [.pvid, .untagged, .master])
            try nl.addVLAN(200, linkIndex: port.index)
            try nl.addVLAN(300, linkIndex: bridge.index, flags: .deviceSelf)
            let configured = try nl.vlans(linkIndex: port.index)
            try nl.deleteVLAN(200, linkIndex: port.index)
            let afterDelete = try nl.vlans(linkIndex: port.index)
            try nl.setVLANFiltering(false, bridgeIndex: bridge.index)
            return (bridge, initial, configured, afterDelete, try nl.requireLink(named: "br0").vlanFiltering)
        }
        #expect(bridge.vlanFiltering == true)
        #expect(initial == [BridgeVLAN(id: 1, flags: [.pvid, .untagged])])
        #expect(configured == [BridgeVLAN(id: 100, flags: [.pvid, .untagged]), BridgeVLAN(id: 200)])
        #expect(afterDelete == [BridgeVLAN(id: 100, flags: [.pvid, .untagged])])
        #expect(filteringOff == false)
        #expect(try ns.exec(["bridge", "vlan", "show", "dev", "br0"]).stdout.count > 0)
    }

    /// On kernels without VLAN filtering the request fails with a typed, matchable error.
    @Test(.enabled(if: !KernelSupport.bridgeVLANFiltering)) func vlanFilteringUnsupportedIsReported() throws {
        guard requireNetNS() else { return }
        let ns = try TestNamespace("nlt")
        let error = try withNetlink(in: ns) { nl in
            netlinkError { _ = try nl.ensureBridge(named: "br0", vlanFiltering: true) }
        }
        #expect(error?.errno == .notSupported)
    }
}
