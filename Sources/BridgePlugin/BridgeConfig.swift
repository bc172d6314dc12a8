public import Addressing
public import CNI
public import Firewall
import JSON

/// The bridge plugin's view of its configuration (the reference's `NetConf`), built by consuming the keys it knows
/// from the network config. Every other key stays untouched in `network.raw`, and IPAM gets `network.bytes`.
public struct BridgeConfig: Sendable, Equatable {
    public var network: NetworkConfig
    public var bridgeName = "cni0"
    /// `isGateway`, or implied by `isDefaultGateway`.
    public var isGateway = false
    public var isDefaultGateway = false
    public var forceAddress = false
    public var ipMasq = false
    /// nil: iptables unless only nft is installed (the reference's default).
    public var ipMasqBackend: MasqueradeBackend?
    /// nil: kernel default. Applied to a new bridge and to both veth ends.
    public var mtu: Int?
    public var hairpinMode = false
    public var promiscMode = false
    /// 0 = no VLAN.
    public var vlan = 0
    /// Tagged VLANs for the port, sorted and unique.
    public var vlanTrunk: [Int] = []
    public var preserveDefaultVlan = false
    public var enableDAD = false
    public var macSpoofCheck = false
    public var disableContainerInterface = false
    public var portIsolation = false
    /// `ipam.type`; nil or empty = layer 2 only.
    public var ipamType: String?
    /// The config's `dns` when any field is set: it replaces what IPAM returned.
    public var dns: CNIResult.DNS?
    /// The container interface's MAC, from the sources `requestedMAC` ranks.
    public var mac: MACAddress?

    /// Whether addresses come from IPAM.
    public var isLayer3: Bool { !(ipamType ?? "").isEmpty }
    /// Whether the bridge needs VLAN filtering.
    public var usesVLANs: Bool { vlan != 0 || !vlanTrunk.isEmpty }
}

extension BridgeConfig {
    /// Parses and validates. Errors name the key (code 7); a bad `MAC` in CNI_ARGS is code 4.
    public init(parsing network: NetworkConfig, environmentArgs: CNIArgs = CNIArgs()) throws(CNIError) {
        self.network = network
        var reader = ConfigReader(network.raw)
        do throws(ConfigError) {
            try readKeys(&reader)
            ipamType = try Self.ipamType(network.ipam)
            dns = try Self.dns(network.dns)
            try validateCombinations()
        } catch {
            throw error.cniError
        }
        mac = try Self.requestedMAC(
            environmentArgs: environmentArgs, configArgs: network.cniArgs, runtimeConfig: network.runtimeConfig)
    }

    private mutating func readKeys(_ r: inout ConfigReader) throws(ConfigError) {
        bridgeName = try r.string("bridge").flatMap { $0.isEmpty ? nil : $0 } ?? "cni0"
        if let problem = Identifiers.interfaceNameProblem(bridgeName) {
            throw .invalid("bridge", "\(problem): \"\(bridgeName)\"")
        }
        isDefaultGateway = try r.bool("isDefaultGateway") ?? false
        isGateway = try r.bool("isGateway") ?? false || isDefaultGateway
        forceAddress = try r.bool("forceAddress") ?? false
        ipMasq = try r.bool("ipMasq") ?? false
        if let backend = try r.string("ipMasqBackend") {
            guard let parsed = MasqueradeBackend(rawValue: backend) else {
                throw ConfigError("unknown ipmasq backend \"\(backend)\" (expected \"iptables\" or \"nftables\")")
            }
            ipMasqBackend = parsed
        }
        mtu = try r.integer("mtu", in: 0...65535).flatMap { $0 == 0 ? nil : $0 }
        hairpinMode = try r.bool("hairpinMode") ?? false
        promiscMode = try r.bool("promiscMode") ?? false
        vlan = try Self.vlan(&r)
        vlanTrunk = try Self.vlanTrunk(try r.array("vlanTrunk"))
        preserveDefaultVlan = try r.bool("preserveDefaultVlan") ?? false
        enableDAD = try r.bool("enabledad") ?? false
        macSpoofCheck = try r.bool("macspoofchk") ?? false
        disableContainerInterface = try r.bool("disableContainerInterface") ?? false
        portIsolation = try r.bool("portIsolation") ?? false
    }

    private func validateCombinations() throws(ConfigError) {
        if isLayer3 && disableContainerInterface {
            throw ConfigError("cannot use IPAM when disableContainerInterface flag is set")
        }
        if hairpinMode && promiscMode {
            throw ConfigError("cannot set hairpin mode and promiscuous mode at the same time")
        }
    }

    private static func vlan(_ r: inout ConfigReader) throws(ConfigError) -> Int {
        guard let value = r.take("vlan") else { return 0 }
        guard let id = value.integerValue else { throw .wrongType("vlan", expected: "an integer", got: value) }
        guard (0...4094).contains(id) else { throw ConfigError("invalid VLAN ID \(id) (must be between 0 and 4094)") }
        return Int(id)
    }

    private static func ipamType(_ ipam: JSONObject?) throws(ConfigError) -> String? {
        guard let ipam else { return nil }
        var reader = ConfigReader(ipam, path: "ipam")
        return try reader.string("type")
    }

    private static func dns(_ object: JSONObject?) throws(ConfigError) -> CNIResult.DNS? {
        guard let object else { return nil }
        var reader = ConfigReader(object, path: "dns")
        let dns = try CNIResult.DNS(reading: &reader)
        return dns.isEmpty ? nil : dns
    }
}
