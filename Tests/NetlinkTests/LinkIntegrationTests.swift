import Addressing
import NetNS
import Netlink
import TestSupport
import Testing

/// Links created inside throw-away namespaces (never in the machine's root namespace).
@Suite(.serialized, .enabled(if: TestEnvironment.integrationEnabled))
struct LinkIntegrationTests {
    @Test func bridgeIsCreatedReusedAndKindChecked() throws {
        guard requireNetNS() else { return }
        let ns = try TestNamespace("nlt")
        let (first, second, clash, wrongKind) = try withNetlink(in: ns) { nl in
            let first = try nl.ensureBridge(named: "br0", mtu: 1400)
            let second = try nl.ensureBridge(named: "br0", mtu: 9000)  // existing bridge: MTU left alone
            let clash = netlinkError {
                try nl.createLink(LinkRequest(name: "br0", kind: .bridge(vlanFiltering: false)))
            }
            _ = try nl.createVeth(named: "veth0", peer: VethPeer(name: "veth1"))  // (no dummy module on every kernel)
            let wrongKind = netlinkError { _ = try nl.ensureBridge(named: "veth0") }
            return (first, second, clash, wrongKind)
        }
        #expect(first.kind == "bridge" && first.mtu == 1400 && first.vlanFiltering == false)
        #expect(second.index == first.index && second.mtu == 1400)
        #expect(clash?.isExists == true)
        #expect(wrongKind == .wrongKind(name: "veth0", expected: "bridge", actual: "veth"))
        #expect(try ns.ip("-d", "link", "show", "br0").contains("bridge"))
    }

    @Test func vethPeerIsCreatedDirectlyInAnotherNamespace() throws {
        guard requireNetNS() else { return }
        let container = try TestNamespace("nlt")
        let host = try TestNamespace("nlt")
        let hostNS = try NetNS.open(path: host.path)
        let mac = MACAddress("0a:58:0a:f4:01:07")!
        let peer = VethPeer(name: "vethnlt0", mtu: 1450, namespaceFD: hostNS.fd)
        let (inside, clash, leftover) = try withNetlink(in: container) { nl in
            let inside = try nl.createVeth(named: "eth0", mtu: 1450, mac: mac, peer: peer)
            // Same host-side name again: EEXIST, so a caller can retry with another random name.
            let clash = netlinkError { _ = try nl.createVeth(named: "eth1", peer: peer) }
            return (inside, clash, try nl.link(named: "eth1"))
        }
        let outside = try withNetlink(in: host) { nl in try nl.link(named: "vethnlt0") }
        #expect(inside.kind == "veth" && inside.mtu == 1450 && inside.mac == mac)
        #expect(clash?.isExists == true && leftover == nil)
        let hostLink = try #require(outside)
        #expect(hostLink.kind == "veth" && hostLink.mtu == 1450)
        #expect(hostLink.peerIndex == inside.index && hostLink.linkNetNSID != nil)
        #expect(try host.ip("-o", "link", "show", "vethnlt0").contains("mtu 1450"))
        #expect(try container.ip("-o", "link").contains("eth0@"))
    }

    @Test func vethQueueCountsOnBothEnds() throws {
        guard requireNetNS() else { return }
        let ns = try TestNamespace("nlt")
        try withNetlink(in: ns) { nl in
            _ = try nl.createVeth(named: "veth0", queues: 1, peer: VethPeer(name: "veth1", queues: 1))
            _ = try nl.createVeth(named: "veth2", queues: 3, peer: VethPeer(name: "veth3", queues: 2))
        }
        for (name, queues) in [("veth0", 1), ("veth1", 1), ("veth2", 3), ("veth3", 2)] {
            #expect(try ns.ip("-d", "link", "show", name).contains("numtxqueues \(queues) numrxqueues \(queues)"))
        }
    }

    @Test func masterUpMTUMACAndPromiscuous() throws {
        guard requireNetNS() else { return }
        let ns = try TestNamespace("nlt")
        let mac = MACAddress("0a:58:00:00:00:42")!
        let (bridge, port, released) = try withNetlink(in: ns) { nl in
            let bridge = try nl.ensureBridge(named: "br0")
            let veth = try nl.createVeth(named: "veth0", peer: VethPeer(name: "veth1"))
            try nl.setMaster(bridge.index, linkIndex: veth.index)
            try nl.setMTU(1300, linkIndex: veth.index)
            try nl.setMAC(mac, linkIndex: veth.index)
            try nl.setPromiscuous(true, linkIndex: bridge.index)
            try nl.setUp(linkIndex: veth.index)
            try nl.setUp(linkIndex: bridge.index)
            let port = try nl.requireLink(named: "veth0")
            try nl.setMaster(nil, linkIndex: veth.index)
            try nl.setDown(linkIndex: veth.index)
            return (try nl.requireLink(named: "br0"), port, try nl.requireLink(named: "veth0"))
        }
        #expect(port.masterIndex == bridge.index && port.mtu == 1300 && port.mac == mac && port.isUp)
        #expect(port.bridgePort != nil)
        #expect(bridge.isPromiscuous && bridge.isUp)
        #expect(released.masterIndex == nil && !released.isUp && released.bridgePort == nil)
    }

    @Test func linksDumpRenameAndDelete() throws {
        guard requireNetNS() else { return }
        let ns = try TestNamespace("nlt")
        let (names, renamed, missingByName, missingByIndex, gone) = try withNetlink(in: ns) { nl in
            let veth = try nl.createVeth(named: "veth0", mtu: 1280, peer: VethPeer(name: "veth1"))
            try nl.rename(linkIndex: veth.index, to: "veth2")
            let renamed = try nl.link(index: veth.index)
            let names = try nl.links().map(\.name).sorted()
            try nl.deleteLink(named: "veth2")  // removes veth1 too
            let missingByName = netlinkError { try nl.deleteLink(named: "veth1") }
            let missingByIndex = netlinkError { try nl.deleteLink(index: veth.index) }
            return (names, renamed, missingByName, missingByIndex, try nl.link(named: "veth2"))
        }
        #expect(names == ["lo", "veth1", "veth2"])
        #expect(renamed?.name == "veth2" && renamed?.mtu == 1280)
        #expect(missingByName?.isNotFound == true && missingByIndex?.isNotFound == true && gone == nil)
    }

    @Test func vxlanDeviceAndFDBEntry() throws {
        guard requireNetNS() else { return }
        let ns = try TestNamespace("nlt")
        let remoteMAC = MACAddress("0a:00:00:00:00:99")!
        let (vxlan, entries) = try withNetlink(in: ns) { nl in
            let underlay = try nl.createVeth(named: "veth0", peer: VethPeer(name: "veth1"))
            try nl.addAddress(IPNetwork("192.0.2.1/24")!, linkIndex: underlay.index)
            let options = VXLANOptions(
                id: 1, localAddress: IPAddress("192.0.2.1"), underlayIndex: underlay.index, port: 8472)
            try nl.createLink(LinkRequest(name: "flannel.1", kind: .vxlan(options), mtu: 1450))
            let vxlan = try nl.requireLink(named: "flannel.1")
            let fdb = Neighbor(
                linkIndex: vxlan.index, destination: IPAddress("192.0.2.2"), mac: remoteMAC, family: .bridge,
                flags: .deviceSelf)
            try nl.replaceNeighbor(fdb)
            return (vxlan, try nl.neighbors(family: .bridge, linkIndex: vxlan.index))
        }
        #expect(vxlan.kind == "vxlan" && vxlan.mtu == 1450)
        #expect(entries.contains { $0.mac == remoteMAC && $0.destination == IPAddress("192.0.2.2") })
        let details = try ns.ip("-d", "link", "show", "flannel.1")
        #expect(details.contains("vxlan id 1") && details.contains("dstport 8472") && details.contains("nolearning"))
    }
}
