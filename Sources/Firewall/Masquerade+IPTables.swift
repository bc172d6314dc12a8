public import Addressing

/// The iptables flavour of ipMasq: per attachment a chain `CNI-<hash>` in `nat` with
/// `-d <subnet> -j ACCEPT` and `! -d <multicast> -j MASQUERADE`, entered from
/// `POSTROUTING -s <ip> -j CNI-<hash>`; every rule carries the comment `name: "<net>" id: "<cid>"`.
///
/// Unlike the reference (about nine `iptables` processes per IP), each change is one `iptables-restore --noflush`
/// transaction per address family, and teardown finds the rules by chain name, not by the container's address, so
/// it works after the netns (and its addresses) are gone.
public struct IPTablesMasquerade: Sendable {
    let runner: any FirewallRunner

    public init(runner: any FirewallRunner) { self.runner = runner }

    static func tools(_ family: IPFamily) -> (list: FirewallTool, restore: FirewallTool) {
        family == .v4 ? (.iptables, .iptablesRestore) : (.ip6tables, .ip6tablesRestore)
    }

    /// The restore script installing the rules for the `addresses` of one family. Declaring the chain creates it or,
    /// if it exists, empties it, so a repeated setup leaves one copy of the chain's rules.
    public static func makeSetupScript(_ addresses: [IPNetwork], for owner: MasqueradeOwner) -> String {
        guard let family = addresses.first?.family else { return "" }
        let chain = owner.chainName
        let comment = "-m comment --comment " + quote(owner.iptablesComment)
        let multicast = family == .v4 ? "224.0.0.0/4" : "ff00::/8"
        var subnets: [IPNetwork] = []
        for address in addresses where !subnets.contains(address.network) { subnets.append(address.network) }
        var lines = ["*nat", ":\(chain) - [0:0]"]
        lines += subnets.map { "-A \(chain) -d \($0) \(comment) -j ACCEPT" }
        lines.append("-A \(chain) ! -d \(multicast) \(comment) -j MASQUERADE")
        lines += addresses.map { "-A POSTROUTING -s \($0.address)/\($0.family.bitCount) \(comment) -j \(chain)" }
        lines.append("COMMIT")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The restore script removing the POSTROUTING jumps found in a `-S` listing and the chain itself (declared
    /// first, so the transaction also succeeds when only the jumps are left).
    public static func makeTeardownScript(chain: String, listing: [String]) -> String? {
        let jumps = listing.filter { $0.hasPrefix("-A POSTROUTING ") && tokens(of: $0).last == chain }
        let chainExists = listing.contains("-N \(chain)")
        guard chainExists || !jumps.isEmpty else { return nil }
        var lines = ["*nat", ":\(chain) - [0:0]"]
        lines += jumps.map { "-D" + $0.dropFirst(2) }
        lines += ["-X \(chain)", "COMMIT"]
        return lines.joined(separator: "\n") + "\n"
    }

    public func setup(_ addresses: [IPNetwork], for owner: MasqueradeOwner) throws(FirewallError) {
        for family in [IPFamily.v4, .v6] {
            let ofFamily = addresses.filter { $0.family == family }
            guard !ofFamily.isEmpty else { continue }
            let script = Self.makeSetupScript(ofFamily, for: owner)
            _ = try runner.run(Self.tools(family).restore, ["-w", "--noflush"], stdin: script)
        }
    }

    /// Removes the attachment's chain and jumps in both families. Missing rules are fine; a missing program is
    /// fine too (nothing can have been installed with it).
    public func teardown(for owner: MasqueradeOwner) throws(FirewallError) {
        for family in [IPFamily.v4, .v6] where runner.isAvailable(Self.tools(family).list) {
            let listing = try list(family)
            if let script = Self.makeTeardownScript(chain: owner.chainName, listing: listing) {
                _ = try runner.run(Self.tools(family).restore, ["-w", "--noflush"], stdin: script)
            }
        }
    }

    /// `iptables -t nat -S`, as lines.
    func list(_ family: IPFamily) throws(FirewallError) -> [String] {
        try runner.run(Self.tools(family).list, ["-w", "-t", "nat", "-S"], stdin: "")
            .split(whereSeparator: \.isNewline).map(String.init)
    }

    /// Problems with the rules of `addresses` (empty when all are present), for CHECK.
    public func problems(_ addresses: [IPNetwork], for owner: MasqueradeOwner) throws(FirewallError) -> [String] {
        var problems: [String] = []
        for family in [IPFamily.v4, .v6] {
            let ofFamily = addresses.filter { $0.family == family }
            guard !ofFamily.isEmpty else { continue }
            let listing = try list(family)
            if !listing.contains("-N \(owner.chainName)") {
                problems.append("iptables chain \(owner.chainName) is missing")
            }
            for address in ofFamily {
                let source = "\(address.address)/\(family.bitCount)"
                let found = listing.contains { line in
                    let t = Self.tokens(of: line)
                    return t.starts(with: ["-A", "POSTROUTING"]) && t.last == owner.chainName
                        && zip(t, t.dropFirst()).contains { $0 == ("-s", source) }
                }
                if !found {
                    problems.append("iptables POSTROUTING rule for \(source) to \(owner.chainName) is missing")
                }
            }
        }
        return problems
    }

    /// `"text"` with `"` and `\` escaped, as iptables prints and iptables-restore reads it.
    static func quote(_ text: String) -> String {
        "\"" + text.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"") + "\""
    }

    /// Splits one `iptables -S` line into arguments, undoing the quoting of `--comment`.
    public static func tokens(of line: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        var inQuotes = false
        var escaped = false
        var started = false
        for c in line {
            if escaped {
                current.append(c)
                escaped = false
                continue
            }
            switch c {
            case "\\" where inQuotes: escaped = true
            case "\"":
                inQuotes.toggle()
                started = true
            case " " where !inQuotes:
                if started || !current.isEmpty { tokens.append(current) }
                current = ""
                started = false
            default:
                current.append(c)
                started = true
            }
        }
        if started || !current.isEmpty { tokens.append(current) }
        return tokens
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
