import Addressing
import CNI
import NetNS
import Netlink
import Posix

/// The new veth pair as the ADD reports it.
struct VethPair: Sendable {
    var hostName: String
    var container: Link

    /// Both ends are created with one TX and one RX queue, the count a veth ends up using by default. Left to the
    /// kernel, each end gets one queue per possible CPU and is then cut back to one, and each cut waits for an
    /// expedited RCU grace period while holding rtnl (docs/PERFORMANCE.md; longer on busy many-CPU nodes; the Go
    /// plugin pays both). The only visible difference: `ethtool -l` shows a maximum of 1 channel instead of one per
    /// CPU.
    static let queues: UInt32 = 1
}

/// The container namespace side. Every operation runs in `NetNS.run` with its own netlink socket (a socket stays
/// in the namespace it was opened in), so the calling thread never leaves the host namespace.
struct ContainerNetwork: ~Copyable {
    let netns: NetNS
    let ifName: String

    init(path: String, ifName: String) throws(NetNSError) {
        netns = try NetNS.open(path: path)
        self.ifName = ifName
    }

    /// Creates the pair from inside the container: `ifName` here, the peer `veth<8 hex>` created directly in the
    /// host namespace (no move afterwards). A taken host name is retried with a new one, up to 10 times; a taken
    /// `ifName` is an error (code 4).
    func createVeth(_ config: BridgeConfig, hostNamespaceFD hostFD: Int32, netnsPath: String) throws -> VethPair {
        let ifName = self.ifName
        return try netns.run { try Self.createVethHere(ifName, config, hostFD: hostFD, netnsPath: netnsPath) }
    }

    private static func createVethHere(
        _ ifName: String, _ config: BridgeConfig, hostFD: Int32, netnsPath: String
    ) throws -> VethPair {
        let nl = try NetlinkSocket()
        let mtu = config.mtu.map(UInt32.init)
        for _ in 0..<10 {
            let hostName = VethName.random()
            let peer = VethPeer(name: hostName, mtu: mtu, namespaceFD: hostFD, queues: VethPair.queues)
            if let link = try createIfFree(nl, ifName, mtu: mtu, mac: config.mac, peer: peer) {
                setInterfaceKnobs(ifName, enableDAD: config.enableDAD)  // here, while IPAM still runs
                return VethPair(hostName: hostName, container: link)
            }
            if try nl.link(named: ifName) != nil { throw BridgeError.interfaceExists(name: ifName, netns: netnsPath) }
        }
        throw BridgeError.vethNamesExhausted
    }

    /// The new container end, or nil when one of the two names is taken (EEXIST).
    private static func createIfFree(
        _ nl: borrowing NetlinkSocket, _ ifName: String, mtu: UInt32?, mac: MACAddress?, peer: VethPeer
    ) throws(NetlinkError) -> Link? {
        do {
            return try nl.createVeth(named: ifName, mtu: mtu, mac: mac, queues: VethPair.queues, peer: peer)
        } catch let error where error.isExists {
            return nil
        }
    }

    /// `configure` on its own thread in the container namespace, so that the caller can set up the host side
    /// meanwhile. `link` is the container end as created (its index and MAC are final).
    func configureInBackground(_ result: CNIResult, link: Link, enableDAD: Bool) throws -> NamespaceThread<Void> {
        try netns.start { try Self.configureHere(link, result, enableDAD: enableDAD) }
    }

    /// Sets the container interface up (layer 2 only).
    func setUp() throws {
        let ifName = self.ifName
        try netns.run { try Self.setUpHere(ifName) }
    }

    private static func setUpHere(_ ifName: String) throws(NetlinkError) {
        let nl = try NetlinkSocket()
        try nl.setUp(linkIndex: try nl.requireLink(named: ifName).index)
    }

    /// The reference's `ConfigureIface` (the DAD and `arp_notify` knobs were set at creation): for IPv6
    /// `disable_ipv6=0` on lo and the interface and `keep_addr_on_down=1`; addresses (IPv6 with NODAD unless
    /// `enabledad`); up; wait for DAD only when it runs; routes (a route without a gateway uses its family's first
    /// gateway).
    private static func configureHere(_ link: Link, _ result: CNIResult, enableDAD: Bool) throws {
        let nl = try NetlinkSocket()
        let ifName = link.name
        try Self.enableIPv6(ifName, if: result.ips.contains { $0.address.family == .v6 })
        for ip in result.ips {
            let flags: AddressFlags = ip.address.family == .v6 && !enableDAD ? [.noDAD] : []
            try step("failed to add IP addr \(ip.address) to \"\(ifName)\"", on: nl) {
                try $0.addAddress(ip.address, linkIndex: link.index, flags: flags)
            }
        }
        try nl.setUp(linkIndex: link.index)
        if enableDAD, result.ips.contains(where: { $0.address.family == .v6 }) {
            try Self.settleAddresses(nl, link)
        }
        try Self.addRoutes(nl, result, linkIndex: link.index, ifName: ifName)
    }

    /// DAD and `arp_notify` knobs of the new interface (best effort, as in the reference).
    private static func setInterfaceKnobs(_ ifName: String, enableDAD: Bool) {
        if enableDAD {
            HostNetwork.setIgnoringMissing("net/ipv6/conf/\(ifName)/enhanced_dad", "1")
            HostNetwork.setIgnoringMissing("net/ipv6/conf/\(ifName)/accept_dad", "1")
        } else {
            HostNetwork.setIgnoringMissing("net/ipv6/conf/\(ifName)/accept_dad", "0")
        }
        HostNetwork.setIgnoringMissing("net/ipv4/conf/\(ifName)/arp_notify", "1")
    }

    /// For IPv6: `disable_ipv6=0` on lo and the interface, `keep_addr_on_down=1` (failures are errors here).
    private static func enableIPv6(_ ifName: String, if hasIPv6: Bool) throws {
        guard hasIPv6 else { return }
        for name in ["lo", ifName] where try Sysctl.value("net/ipv6/conf/\(name)/disable_ipv6") != "0" {
            try Sysctl.set("net/ipv6/conf/\(name)/disable_ipv6", to: "0")
        }
        try Sysctl.set("net/ipv6/conf/\(ifName)/keep_addr_on_down", to: "1")
    }

    /// Waits (50 ms polls, at most 5 s) until no IPv6 address of the link is tentative; DADFAILED is an error.
    private static func settleAddresses(_ nl: borrowing NetlinkSocket, _ link: Link) throws {
        let deadline = Clock.monotonicNanoseconds() + 5_000_000_000
        while true {
            let addresses = try nl.addresses(linkIndex: link.index, family: .v6)
            if let failed = addresses.first(where: { $0.flags.contains(.dadFailed) }) {
                throw BridgeError.duplicateAddressDetected(interface: link.name, address: "\(failed.network.address)")
            }
            if !addresses.contains(where: { $0.flags.contains(.tentative) }) { return }
            if Clock.monotonicNanoseconds() > deadline { throw BridgeError.tentativeAddresses(interface: link.name) }
            Clock.sleep(milliseconds: 50)
        }
    }

    private static func addRoutes(_ nl: borrowing NetlinkSocket, _ result: CNIResult, linkIndex: Int32, ifName: String)
        throws
    {
        let v4 = result.ips.first { $0.address.family == .v4 && $0.gateway != nil }?.gateway
        let v6 = result.ips.first { $0.address.family == .v6 && $0.gateway != nil }?.gateway
        for r in result.routes {
            var route = Netlink.Route(
                destination: r.destination.network, gateway: r.gateway ?? (r.destination.family == .v4 ? v4 : v6),
                outputLinkIndex: linkIndex, priority: r.priority.map(UInt32.init),
                table: r.table.map(UInt32.init) ?? Netlink.Route.mainTable)
            route.scope = r.scope.map { Scope(rawValue: UInt8($0)) }
            try step(
                "failed to add route '\(r.destination) via \(route.gateway.map { "\($0)" } ?? "-") dev \(ifName)'",
                on: nl
            ) {
                try $0.appendRoute(route)
            }
        }
    }
}
