import Addressing
import TestSupport
import Testing

@testable import Firewall

@Suite struct NamingTests {
    @Test func sha512KnownVector() {
        #expect(SHA512.hex("abc").hasPrefix("ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"))
        #expect(SHA512.hex("").hasPrefix("cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"))
        #expect(SHA512.hex(String(repeating: "a", count: 200)).count == 128)  // more than one block
    }

    /// `CNI-efc489ea5632c0d5902152b1` is the chain the Go bridge (Debian 1.1.1) created for network `iop`, container
    /// `gocid` in an interop run; the other value is `sha512sum` of "cbr0abc123".
    @Test func chainNameEqualsGo() {
        #expect(MasqueradeOwner.chainName(network: "iop", containerID: "gocid") == "CNI-efc489ea5632c0d5902152b1")
        #expect(MasqueradeOwner.chainName(network: "cbr0", containerID: "abc123") == "CNI-3e9a3d0f9583cdc0e7133af3")
        #expect(MasqueradeOwner.chainName(network: "n", containerID: "c").count == 28)
    }

    @Test func commentsEqualGo() {
        let owner = MasqueradeOwner(network: "iop", containerID: "swcid", ifName: "eth0")
        #expect(owner.iptablesComment == #"name: "iop" id: "swcid""#)
        #expect(owner.nftComment == "f475f6ae78b7cc8d-0bfc83753c99f4df, net: iop, if: eth0, id: swcid")
        let long = MasqueradeOwner(network: "n", containerID: String(repeating: "f", count: 200), ifName: "eth0")
        #expect(long.nftComment.utf8.count == 128)
    }
}

@Suite struct IPTablesRuleTests {
    let owner = MasqueradeOwner(network: "iop", containerID: "gocid", ifName: "eth0")

    @Test func setupScriptIPv4TwoSubnets() {
        let script = IPTablesMasquerade.makeSetupScript(
            [IPNetwork("10.98.0.2/24")!, IPNetwork("10.97.3.4/16")!], for: owner)
        expectGolden(script, "iptables-setup-dual.txt")
    }

    @Test func setupScriptIPv6() {
        expectGolden(
            IPTablesMasquerade.makeSetupScript([IPNetwork("fd00:10::5/64")!], for: owner), "iptables-setup-v6.txt")
    }

    @Test func teardownFromListing() throws {
        let listing = try readFixture("iptables-listing.txt").split(separator: "\n").map(String.init)
        let script = IPTablesMasquerade.makeTeardownScript(chain: owner.chainName, listing: listing)
        expectGolden(script ?? "", "iptables-teardown.txt")
        #expect(IPTablesMasquerade.makeTeardownScript(chain: "CNI-000000000000000000000000", listing: listing) == nil)
    }

    @Test func tokensUndoQuoting() {
        let line = #"-A POSTROUTING -s 10.98.0.2/32 -m comment --comment "name: \"iop\" id: \"gocid\"" -j CNI-x"#
        #expect(
            IPTablesMasquerade.tokens(of: line) == [
                "-A", "POSTROUTING", "-s", "10.98.0.2/32", "-m", "comment", "--comment", #"name: "iop" id: "gocid""#,
                "-j", "CNI-x"
            ])
        #expect(IPTablesMasquerade.tokens(of: #"-A X --comment """#) == ["-A", "X", "--comment", ""])
    }

    /// GC reads owners from rule comments, only where the chain name matches (portmap's `CNI-DN-` chain is not ours).
    @Test func ownersFromListing() throws {
        let listing = try readFixture("iptables-listing.txt").split(separator: "\n").map(String.init)
        #expect(IPTablesMasquerade.owners(network: "iop", listing: listing) == ["gocid"])
        #expect(IPTablesMasquerade.owners(network: "other", listing: listing).isEmpty)
    }
}

@Suite struct NFTablesRuleTests {
    let owner = MasqueradeOwner(network: "iop", containerID: "swcid", ifName: "eth0")

    @Test func setupScript() {
        let script = NFTablesMasquerade.makeSetupScript(
            [IPNetwork("10.98.0.3/24")!, IPNetwork("fd00:10::5/64")!], for: owner)
        expectGolden(script, "nft-setup.txt")
    }

    @Test func parseListing() throws {
        let rules = NFTablesMasquerade.parseRules(try readFixture("nft-listing.json"))
        #expect(rules.map(\.handle) == [7, 9, 11])
        #expect(NFTablesMasquerade.parseRules("").isEmpty && NFTablesMasquerade.parseRules("garbage").isEmpty)
    }

    @Test func teardownDeletesOnlyThisAttachment() throws {
        let firewall = RecordingFirewall()
        firewall.listings[.nft] = try readFixture("nft-listing.json")
        try NFTablesMasquerade(runner: firewall).teardown(for: owner)
        #expect(firewall.applied.map(\.stdin) == ["delete rule inet cni_plugins_masquerade masq_checks handle 7\n"])
    }

    @Test func garbageCollectionKeepsValidAndOtherNetworks() throws {
        let firewall = RecordingFirewall()
        firewall.listings[.nft] = try readFixture("nft-listing.json")
        try NFTablesMasquerade(runner: firewall).collectGarbage(network: "iop", keeping: [owner.nftComment])
        #expect(firewall.applied.map(\.stdin) == ["delete rule inet cni_plugins_masquerade masq_checks handle 9\n"])
    }

    @Test func missingTableIsNothingToDo() throws {
        let firewall = RecordingFirewall()
        try NFTablesMasquerade(runner: firewall).teardown(for: owner)
        #expect(firewall.applied.isEmpty)
    }

    @Test func spoofCheckScript() {
        let check = SpoofCheck(
            runner: RecordingFirewall(), owner: MasqueradeOwner(network: "n", containerID: "c1", ifName: "eth0"))
        expectGolden(
            check.makeSetupScript(hostInterface: "veth0a1b2c3d", mac: MACAddress("02:00:00:00:00:01")!),
            "spoofcheck-setup.txt")
    }
}
