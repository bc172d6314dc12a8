import Addressing
import Netlink
import TestSupport
import Testing

/// Addresses, routes and neighbors on links inside throw-away namespaces.
@Suite(.serialized, .enabled(if: TestEnvironment.integrationEnabled))
struct AddressRouteIntegrationTests {
    @Test func ipv4AndIPv6AddressesAreAddedListedAndDeleted() throws {
        guard requireNetNS() else { return }
        let ns = try TestNamespace("nlt")
        let v4 = IPNetwork("10.1.2.3/24")!
        let v6 = IPNetwork("fd00:1::3/64")!
        let (listed4, listed6, duplicate, remaining, missing, shown) = try withNetlink(in: ns) { nl in
            let link = try nl.createVeth(named: "veth0", peer: VethPeer(name: "veth1"))
            try nl.setUp(linkIndex: link.index)
            try nl.addAddress(v4, linkIndex: link.index)
            try nl.addAddress(v6, linkIndex: link.index, flags: .noDAD)
            let listed4 = try nl.addresses(linkIndex: link.index, family: .v4)
            let listed6 = try nl.addresses(linkIndex: link.index, family: .v6)
            let duplicate = netlinkError { try nl.addAddress(v4, linkIndex: link.index) }
            let shown = try ns.ip("addr", "show", "veth0")
            try nl.deleteAddress(v4, linkIndex: link.index)
            let missing = netlinkError { try nl.deleteAddress(v4, linkIndex: link.index) }
            return (listed4, listed6, duplicate, try nl.addresses(linkIndex: link.index), missing, shown)
        }
        #expect(listed4.map(\.network) == [v4] && listed4.first?.scope == .universe)
        let global6 = try #require(listed6.first { $0.network == v6 })
        #expect(global6.flags.contains(.noDAD) && !global6.flags.contains(.tentative))
        #expect(duplicate?.isExists == true && missing?.isNotFound == true)
        #expect(!remaining.contains { $0.network == v4 } && remaining.contains { $0.network == v6 })
        #expect(shown.contains("inet 10.1.2.3/24 brd 10.1.2.255") && shown.contains("inet6 fd00:1::3/64"))
    }

    @Test func routesWithGatewayOnLinkPriorityTableAndMetrics() throws {
        guard requireNetNS() else { return }
        let ns = try TestNamespace("nlt")
        let (main, custom, v6, replaced, missing) = try withNetlink(in: ns) { nl in
            let link = try upVeth(nl, "10.1.2.3/24", "fd00:1::3/64")
            try nl.addRoute(Route(destination: .defaultRoute(.v4), gateway: IPAddress("10.1.2.1")))
            try nl.addRoute(
                Route(
                    destination: IPNetwork("192.168.50.0/24")!, gateway: IPAddress("10.9.9.9"),
                    outputLinkIndex: link.index, onLink: true))
            try nl.addRoute(
                Route(
                    destination: IPNetwork("172.16.0.0/16")!, outputLinkIndex: link.index, priority: 50, table: 100,
                    mtu: 1400, advertisedMSS: 1360))
            try nl.addRoute(Route(destination: IPNetwork("fd00:2::/64")!, gateway: IPAddress("fd00:1::1"), priority: 7))
            let main = try nl.routes(family: .v4, linkIndex: link.index)
            let custom = try nl.routes(family: .v4, table: 100)
            let v6 = try nl.routes(family: .v6, linkIndex: link.index)
            var route = Route(destination: IPNetwork("192.168.60.0/24")!, gateway: IPAddress("10.1.2.1"), priority: 5)
            try nl.replaceRoute(route)
            route.priority = 5
            try nl.replaceRoute(route)  // idempotent
            let replaced = try nl.routes(family: .v4).filter { $0.destination == IPNetwork("192.168.60.0/24")! }
            try nl.deleteRoute(route)
            let missing = netlinkError { try nl.deleteRoute(route) }
            return (main, custom, v6, replaced, missing)
        }
        let defaultRoute = try #require(main.first { $0.destination.isDefaultRoute })
        #expect(defaultRoute.gateway == IPAddress("10.1.2.1") && defaultRoute.scope == .universe)
        let onLink = try #require(main.first { $0.destination == IPNetwork("192.168.50.0/24")! })
        #expect(onLink.onLink && onLink.gateway == IPAddress("10.9.9.9"))
        let inTable = try #require(custom.first)
        #expect(inTable.destination == IPNetwork("172.16.0.0/16")! && inTable.priority == 50 && inTable.table == 100)
        #expect(inTable.mtu == 1400 && inTable.advertisedMSS == 1360 && inTable.scope == .link)
        #expect(v6.contains { $0.destination == IPNetwork("fd00:2::/64")! && $0.gateway == IPAddress("fd00:1::1") })
        #expect(replaced.count == 1 && missing?.isNotFound == true)
        #expect(try ns.ip("route", "show", "table", "100").contains("172.16.0.0/16 dev veth0"))
    }

    @Test func neighborsAreAddedListedAndDeleted() throws {
        guard requireNetNS() else { return }
        let ns = try TestNamespace("nlt")
        let mac = MACAddress("0a:58:0a:01:02:05")!
        let (listed, updated, afterDelete, missing) = try withNetlink(in: ns) { nl in
            let veth = try nl.createVeth(named: "veth0", peer: VethPeer(name: "veth1"))
            try nl.setUp(linkIndex: veth.index)
            var neighbor = Neighbor(linkIndex: veth.index, destination: IPAddress("10.1.2.5"), mac: mac)
            try nl.addNeighbor(neighbor)
            try nl.addNeighbor(Neighbor(linkIndex: veth.index, destination: IPAddress("fd00:1::5"), mac: mac))
            let listed = try nl.neighbors(family: .ipv4, linkIndex: veth.index)
            neighbor.mac = MACAddress("0a:58:0a:01:02:06")
            try nl.replaceNeighbor(neighbor)
            let updated = try nl.neighbors(family: .ipv4, linkIndex: veth.index)
            try nl.deleteNeighbor(neighbor)
            let missing = netlinkError { try nl.deleteNeighbor(neighbor) }
            return (listed, updated, try nl.neighbors(family: .ipv4, linkIndex: veth.index), missing)
        }
        #expect(listed.count == 1 && listed[0].mac == mac && listed[0].state == .permanent)
        #expect(updated.first?.mac == MACAddress("0a:58:0a:01:02:06"))
        #expect(afterDelete.isEmpty && missing?.isNotFound == true)
        #expect(try ns.ip("-6", "neigh", "show").contains("fd00:1::5 dev veth0 lladdr 0a:58:0a:01:02:05 PERMANENT"))
    }

    @Test func sysctlsApplyToTheNamespace() throws {
        guard requireNetNS() else { return }
        let ns = try TestNamespace("nlt")
        let rootValue = try Sysctl.value("net/ipv4/ip_forward")  // read only: the root namespace is never written
        let (before, after) = try withNetlink(in: ns) { nl in
            _ = try nl.createVeth(named: "veth0.100", peer: VethPeer(name: "veth1"))
            let before = try Sysctl.value("net/ipv6/conf/veth0.100/accept_ra")
            try Sysctl.set("net/ipv6/conf/veth0.100/accept_ra", to: "0")
            try Sysctl.set("net/ipv4/ip_forward", to: "1")
            return (before, try Sysctl.value("net/ipv6/conf/veth0.100/accept_ra"))
        }
        #expect(!before.isEmpty && after == "0")
        #expect(try ns.exec(["cat", "/proc/sys/net/ipv4/ip_forward"]).stdout == Array("1\n".utf8))
        #expect(try Sysctl.value("net/ipv4/ip_forward") == rootValue)
        for key in [
            "net/../../etc/passwd", "net/./ipv4/ip_forward", "net//ipv4/ip_forward", "/net/ipv4/ip_forward",
            "net/ipv4/ip_forward/", "", "..", "net/ipv4/.."
        ] {
            #expect(throws: NetlinkError.self, "\(key)") { try Sysctl.value(key) }
        }
        let missing = netlinkError { _ = try Sysctl.value("net/ipv4/no_such_key") }
        #expect(missing?.errno == .noSuchFileOrDirectory)
    }
}

/// A veth pair, both ends up (so the link has carrier), `veth0` with the given addresses (IPv6 without DAD).
/// Veth rather than dummy: not every kernel has the dummy driver.
private func upVeth(_ nl: borrowing NetlinkSocket, _ addresses: String...) throws -> Link {
    let link = try nl.createVeth(named: "veth0", peer: VethPeer(name: "veth1"))
    for text in addresses { try nl.addAddress(IPNetwork(text)!, linkIndex: link.index, flags: .noDAD) }
    try nl.setUp(linkIndex: try nl.requireLink(named: "veth1").index)
    try nl.setUp(linkIndex: link.index)
    return link
}
