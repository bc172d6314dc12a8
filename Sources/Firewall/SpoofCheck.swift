public import Addressing

/// `macspoofchk`: nftables bridge-family rules that let frames from the host veth through only with the
/// container's source MAC. Same table, chains and comments as the reference (plugins `pkg/link/spoofcheck.go`):
/// table `bridge nat`, base chain `PREROUTING` (filter, prerouting, priority -300), per attachment chains
/// `cni-br-iface-<cid>-<ifname>` and `…-mac`, every rule commented `macspoofchk-<cid>-<ifname>`.
public struct SpoofCheck: Sendable {
    let runner: any FirewallRunner
    let id: String

    public init(runner: any FirewallRunner, owner: MasqueradeOwner) {
        self.runner = runner
        self.id = owner.spoofCheckID
    }

    var interfaceChain: String { "cni-br-iface-" + id }
    var macChain: String { interfaceChain + "-mac" }
    var comment: String { "comment \"macspoofchk-\(id)\"" }

    /// One transaction: table and chains ensured, the attachment's chains emptied, then filled.
    public func makeSetupScript(hostInterface: String, mac: MACAddress) -> String {
        let t = "bridge nat"
        return [
            "add table \(t)",
            "add chain \(t) PREROUTING { type filter hook prerouting priority -300 ; policy accept ; }",
            "add chain \(t) \(interfaceChain)",
            "add chain \(t) \(macChain)",
            "flush chain \(t) \(interfaceChain)",
            "flush chain \(t) \(macChain)",
            "add rule \(t) PREROUTING iifname \"\(hostInterface)\" jump \(interfaceChain) \(comment)",
            "add rule \(t) \(interfaceChain) jump \(macChain) \(comment)",
            "add rule \(t) \(macChain) ether saddr \(mac) return \(comment)",
            "add rule \(t) \(macChain) drop \(comment)"
        ].joined(separator: "\n") + "\n"
    }

    /// One transaction: the PREROUTING jumps (by handle), then both chains. The chains are declared and flushed
    /// before deletion so the transaction also succeeds when they are already gone.
    public func makeTeardownScript(preroutingHandles: [Int64]) -> String {
        let t = "bridge nat"
        var lines: [String] = []
        lines += preroutingHandles.map { "delete rule \(t) PREROUTING handle \($0)" }
        lines += [
            "add chain \(t) \(interfaceChain)", "add chain \(t) \(macChain)",
            "flush chain \(t) \(interfaceChain)", "flush chain \(t) \(macChain)",
            "delete chain \(t) \(interfaceChain)", "delete chain \(t) \(macChain)"
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    public func setup(hostInterface: String, mac: MACAddress) throws(FirewallError) {
        _ = try runner.run(.nft, ["-f", "-"], stdin: makeSetupScript(hostInterface: hostInterface, mac: mac))
    }

    public func teardown() throws(FirewallError) {
        guard runner.isAvailable(.nft) else { return }
        let listing: String
        do {
            listing = try runner.run(.nft, ["-j", "list", "chain", "bridge", "nat", "PREROUTING"], stdin: "")
        } catch let error where error.isNotFound {
            return  // no `bridge nat` PREROUTING chain: no spoof check was ever set up here
        }
        let handles = NFTablesMasquerade.parseRules(listing).filter { $0.comment == "macspoofchk-" + id }.map(\.handle)
        _ = try runner.run(.nft, ["-f", "-"], stdin: makeTeardownScript(preroutingHandles: handles))
    }
}
