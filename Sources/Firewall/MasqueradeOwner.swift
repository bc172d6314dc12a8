/// Who a set of masquerade rules belongs to, and the names the Go plugins derive from it, so that either
/// implementation finds (and removes) the other's rules.
public struct MasqueradeOwner: Sendable, Equatable {
    public var network: String
    public var containerID: String
    public var ifName: String

    public init(network: String, containerID: String, ifName: String) {
        self.network = network
        self.containerID = containerID
        self.ifName = ifName
    }

    /// iptables chain: `CNI-` + the first 24 hex characters of sha512(network + containerID), 28 characters in all
    /// (plugins `pkg/utils.FormatChainName`). The iptables flavour ignores the interface name, as the reference does.
    public var chainName: String { Self.chainName(network: network, containerID: containerID) }

    public static func chainName(network: String, containerID: String) -> String {
        "CNI-" + SHA512.hex(network + containerID).prefix(24)
    }

    /// iptables comment: `name: "<network>" id: "<containerID>"` (Go's `%q`; both are restricted to
    /// `[A-Za-z0-9_.-]`, so no escaping is ever needed).
    public var iptablesComment: String { Self.iptablesComment(network: network, containerID: containerID) }

    static func iptablesComment(network: String, containerID: String) -> String {
        "name: \"\(network)\" id: \"\(containerID)\""
    }

    /// nft comment prefix shared by every rule of a network: 16 hex of sha512(network).
    public static func networkHash(_ network: String) -> String { String(SHA512.hex(network).prefix(16)) }

    /// nft comment prefix of this attachment: network hash, `-`, 16 hex of sha512("<ifname>:<containerID>").
    public var instanceHash: String {
        Self.networkHash(network) + "-" + SHA512.hex(ifName + ":" + containerID).prefix(16)
    }

    /// nft rule comment: `<instanceHash>, net: <network>, if: <ifname>, id: <containerID>`, cut at 128 bytes
    /// (knftables' `CommentLengthMax`), exactly as the reference writes it.
    public var nftComment: String {
        let full =
            "\(instanceHash), net: \(network.filter { $0 != "\"" }), if: \(ifName.filter { $0 != "\"" }), id: "
            + containerID.filter { $0 != "\"" }
        return String(decoding: full.utf8.prefix(128), as: UTF8.self)
    }

    /// The spoof-check identity (`<containerID>-<ifname>`), as in the reference's `uniqueID`.
    public var spoofCheckID: String { containerID + "-" + ifName }
}
