public import Addressing
import JSON

/// The nftables flavour of ipMasq, compatible with the reference (knftables): table `inet cni_plugins_masquerade`,
/// regular chain `masq_checks` with one rule per address (`ip saddr == <ip> ip daddr != <subnet> masquerade`,
/// comment `MasqueradeOwner.nftComment`), entered from base chain `postrouting` (nat, srcnat) after multicast is
/// skipped. Every change is one `nft -f -` transaction; rules are found by comment, never by address.
public struct NFTablesMasquerade: Sendable {
    public static let table = "inet cni_plugins_masquerade"
    public static let chain = "masq_checks"
    let runner: any FirewallRunner

    public init(runner: any FirewallRunner) { self.runner = runner }

    /// One transaction: ensure table and chains, rewrite `postrouting`, append this attachment's rules.
    public static func makeSetupScript(_ addresses: [IPNetwork], for owner: MasqueradeOwner) -> String {
        let t = table
        var lines = [
            "add table \(t) { comment \"Masquerading for plugins from github.com/containernetworking/plugins\" ; }",
            "add chain \(t) \(chain) { comment \"Masquerade traffic from certain IPs to any (non-multicast) IP outside their subnet\" ; }",
            "add chain \(t) postrouting { type nat hook postrouting priority srcnat ; }",
            "flush chain \(t) postrouting",
            "add rule \(t) postrouting ip daddr == 224.0.0.0/4  return",
            "add rule \(t) postrouting ip6 daddr == ff00::/8  return",
            "add rule \(t) postrouting goto \(chain)"
        ]
        for address in addresses {
            let ip = address.family == .v4 ? "ip" : "ip6"
            lines.append(
                "add rule \(t) \(chain) \(ip) saddr == \(address.address) \(ip) daddr != \(address.network) masquerade"
                    + " comment \"\(owner.nftComment)\"")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One transaction deleting rules by handle; nil when there is nothing to delete.
    public static func makeDeleteScript(handles: [Int64]) -> String? {
        guard !handles.isEmpty else { return nil }
        return handles.map { "delete rule \(table) \(chain) handle \($0)" }.joined(separator: "\n") + "\n"
    }

    public func setup(_ addresses: [IPNetwork], for owner: MasqueradeOwner) throws(FirewallError) {
        _ = try runner.run(.nft, ["-f", "-"], stdin: Self.makeSetupScript(addresses, for: owner))
    }

    /// Deletes the attachment's rules (comment starts with its instance hash). A missing table is fine.
    public func teardown(for owner: MasqueradeOwner) throws(FirewallError) {
        guard runner.isAvailable(.nft) else { return }
        let handles = try rules().filter { $0.comment.hasPrefix(owner.instanceHash) }.map(\.handle)
        if let script = Self.makeDeleteScript(handles: handles) { _ = try runner.run(.nft, ["-f", "-"], stdin: script) }
    }

    /// Deletes the rules of `network` whose comment is not one of `validComments`.
    public func collectGarbage(network: String, keeping validComments: Set<String>) throws(FirewallError) {
        guard runner.isAvailable(.nft) else { return }
        let prefix = MasqueradeOwner.networkHash(network) + "-"
        let stale = try rules().filter { $0.comment.hasPrefix(prefix) && !validComments.contains($0.comment) }
        if let script = Self.makeDeleteScript(handles: stale.map(\.handle)) {
            _ = try runner.run(.nft, ["-f", "-"], stdin: script)
        }
    }

    /// Problems with the attachment's rules (empty when one rule per address is present), for CHECK.
    public func problems(_ addresses: [IPNetwork], for owner: MasqueradeOwner) throws(FirewallError) -> [String] {
        let count = try rules().filter { $0.comment == owner.nftComment }.count
        return count >= addresses.count ? [] : ["nftables: \(count) of \(addresses.count) masquerade rules present"]
    }

    /// `(handle, comment)` of every commented rule in `masq_checks`; empty when the table or chain is missing.
    func rules() throws(FirewallError) -> [(handle: Int64, comment: String)] {
        let text: String
        do {
            text = try runner.run(
                .nft, ["-j", "list", "chain", "inet", "cni_plugins_masquerade", Self.chain], stdin: "")
        } catch let error where error.isNotFound {
            return []
        }
        return Self.parseRules(text)
    }

    /// Parses `nft -j list chain` output into `(handle, comment)` pairs.
    public static func parseRules(_ text: String) -> [(handle: Int64, comment: String)] {
        let document: JSONValue
        do {
            document = try JSONValue.parse(Array(text.utf8))
        } catch {
            return []  // not a JSON listing (an empty chain prints nothing on old nft): no rule we could identify
        }
        guard let items = document.objectValue?["nftables"]?.arrayValue else { return [] }
        return items.compactMap { item in
            guard let rule = item.objectValue?["rule"]?.objectValue, let handle = rule["handle"]?.integerValue,
                let comment = rule["comment"]?.stringValue
            else { return nil }
            return (handle, comment)
        }
    }
}
