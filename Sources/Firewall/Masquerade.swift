public import Addressing

/// Which firewall the masquerade rules go to (`ipMasqBackend`).
public enum MasqueradeBackend: String, Sendable, Equatable {
    case iptables, nftables
}

/// ipMasq across both backends: setup and CHECK use the configured one; teardown and GC clean both (the pod may
/// have been added by another version of the plugin or with another `ipMasqBackend`), as the reference does.
public struct Masquerade: Sendable {
    let runner: any FirewallRunner
    var iptables: IPTablesMasquerade { IPTablesMasquerade(runner: runner) }
    var nftables: NFTablesMasquerade { NFTablesMasquerade(runner: runner) }

    public init(runner: any FirewallRunner) { self.runner = runner }

    /// The configured backend, else the reference's default: iptables unless only nft is installed.
    public func backend(_ configured: MasqueradeBackend?) -> MasqueradeBackend {
        if let configured { return configured }
        return !runner.isAvailable(.iptablesRestore) && runner.isAvailable(.nft) ? .nftables : .iptables
    }

    public func setup(
        _ backend: MasqueradeBackend, _ addresses: [IPNetwork], for owner: MasqueradeOwner
    ) throws(FirewallError) {
        switch backend {
        case .iptables: try iptables.setup(addresses, for: owner)
        case .nftables: try nftables.setup(addresses, for: owner)
        }
    }

    /// Removes the attachment's rules from both backends; both are tried even if the first fails.
    public func teardown(for owner: MasqueradeOwner) throws(FirewallError) {
        var firstError: FirewallError?
        do { try iptables.teardown(for: owner) } catch { firstError = error }
        do { try nftables.teardown(for: owner) } catch { firstError = firstError ?? error }
        if let firstError { throw firstError }
    }

    public func problems(
        _ backend: MasqueradeBackend, _ addresses: [IPNetwork], for owner: MasqueradeOwner
    ) throws(FirewallError) -> [String] {
        switch backend {
        case .iptables: try iptables.problems(addresses, for: owner)
        case .nftables: try nftables.problems(addresses, for: owner)
        }
    }

    /// GC: removes the rules of `network` that belong to none of the `valid` attachments (owners in `network`), in
    /// both backends. iptables rules only know the container ID, so a chain stays while any valid attachment has that ID.
    public func collectGarbage(network: String, keeping valid: [MasqueradeOwner]) throws(FirewallError) {
        var firstError: FirewallError?
        do { try iptables.collectGarbage(network: network, keeping: Set(valid.map(\.containerID))) } catch {
            firstError = error
        }
        let comments = Set(valid.map(\.nftComment))
        do { try nftables.collectGarbage(network: network, keeping: comments) } catch {
            firstError = firstError ?? error
        }
        if let firstError { throw firstError }
    }
}

extension IPTablesMasquerade {
    /// Container IDs of `network` that own a masquerade chain, read from the rule comments of a `-S` listing. A
    /// chain counts only if its name is the one `MasqueradeOwner.chainName` gives for that comment, which keeps
    /// portmap's and other plugins' `CNI-` chains out.
    public static func owners(network: String, listing: [String]) -> Set<String> {
        var owners = Set<String>()
        let prefix = "name: \"\(network)\" id: \""
        for line in listing where line.hasPrefix("-A CNI-") {
            let t = tokens(of: line)
            guard let i = t.firstIndex(of: "--comment"), i + 1 < t.count, t[i + 1].hasPrefix(prefix),
                t[i + 1].hasSuffix("\"")
            else { continue }
            let id = String(t[i + 1].dropFirst(prefix.count).dropLast())
            if t[1] == MasqueradeOwner.chainName(network: network, containerID: id) { owners.insert(id) }
        }
        return owners
    }

    func collectGarbage(network: String, keeping validIDs: Set<String>) throws(FirewallError) {
        for family in [IPFamily.v4, .v6] where runner.isAvailable(Self.tools(family).list) {
            let listing = try list(family)
            let stale = Self.owners(network: network, listing: listing).subtracting(validIDs).sorted()
            let scripts = stale.compactMap {
                Self.makeTeardownScript(
                    chain: MasqueradeOwner.chainName(network: network, containerID: $0), listing: listing)
            }
            guard !scripts.isEmpty else { continue }
            let merged =
                "*nat\n"
                + scripts.map { s in
                    s.split(separator: "\n").filter { $0 != "*nat" && $0 != "COMMIT" }.joined(separator: "\n")
                }.joined(separator: "\n") + "\nCOMMIT\n"
            _ = try runner.run(Self.tools(family).restore, ["-w", "--noflush"], stdin: merged)
        }
    }
}
