public import Addressing
public import CNI
public import IPAM
import JSON

/// The host-local view of a network configuration (Go's `allocator.LoadIPAMConfig`).
///
/// Built by a pure parser: no file is read, so it can be fuzzed. Errors are code 7 (with the key
/// path), except a malformed `IP=` in `CNI_ARGS`, which is code 4.
public struct HostLocalConfig: Sendable, Equatable {
    /// Network name: the directory under `dataDir`.
    public var network: String
    public var cniVersion: CNIVersion
    /// `runtimeConfig.ipRanges`, then the legacy top-level range, then `ranges`; one address each.
    public var rangeSets: [AddressRangeSet]
    /// `ipam.routes`, returned verbatim.
    public var routes: [CNIResult.Route]
    /// `ipam.dataDir` (default `/var/lib/cni/networks`).
    public var dataDir: String
    /// `ipam.resolvConf`: a resolv.conf-style file whose contents become the result's `dns`.
    public var resolvConf: String?
    /// `IP=` from `CNI_ARGS`, `args.cni.ips`, `runtimeConfig.ips`, in that order, de-duplicated.
    public var requestedAddresses: [IPAddress]
    /// `ipam.reclaimAfterReboot` (default true): release pre-boot reservations once per boot.
    public var reclaimAfterReboot: Bool

    public static let defaultDataDir = "/var/lib/cni/networks"

    /// - Parameter cniArgs: `CNI_ARGS` for ADD and CHECK; nil where requested addresses do not matter.
    public init(parsing config: NetworkConfig, cniArgs: CNIArgs? = nil) throws(CNIError) {
        network = config.name
        cniVersion = config.cniVersion
        let envAddress = try Self.address(fromCNIArgs: cniArgs)
        do throws(ConfigError) {
            guard let ipam = config.ipam else { throw ConfigError("IPAM config missing 'ipam' key") }
            var reader = ConfigReader(ipam, path: "ipam")
            let legacy = try Self.legacyRange(&reader)
            let listed = try Self.rangeSetList(reader.array("ranges"), path: reader.path("ranges"))
            var runtime = ConfigReader(config.runtimeConfig, path: "runtimeConfig")
            let injected = try Self.rangeSetList(runtime.array("ipRanges"), path: runtime.path("ipRanges"))
            rangeSets = try Self.validated(injected + legacy + listed, version: config.cniVersion)
            routes = try Self.routes(reader.array("routes"), path: reader.path("routes"))
            dataDir = try reader.string("dataDir").flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultDataDir
            resolvConf = try reader.string("resolvConf").flatMap { $0.isEmpty ? nil : $0 }
            reclaimAfterReboot = try reader.bool("reclaimAfterReboot") ?? true
            requestedAddresses = try Self.requestedAddresses(
                cniArgs: envAddress, args: config.cniArgs, runtimeConfig: &runtime)
        } catch {
            throw error.cniError
        }
    }

    /// The allocator for these range sets.
    public var allocator: Allocator { Allocator(rangeSets: rangeSets) }

    /// `<dataDir>/<network>`.
    public var networkDirectory: String { FileStore.directory(dataDir: dataDir, network: network) }

    /// Precedence of requested addresses: Go host-local takes the union of all three sources
    /// (`CNI_ARGS` first), so a drop-in replacement does too. Prefixes (`10.1.2.3/24`) are ignored.
    static func requestedAddresses(
        cniArgs: IPAddress?, args: JSONObject, runtimeConfig: inout ConfigReader
    ) throws(ConfigError) -> [IPAddress] {
        var argsReader = ConfigReader(args, path: "args.cni")
        let all =
            (cniArgs.map { [$0] } ?? []) + (try addresses(&argsReader, "ips"))
            + (try addresses(&runtimeConfig, "ips"))
        var seen = Set<IPAddress>()
        return all.filter { seen.insert($0).inserted }
    }

    /// A list of address strings at `key`.
    static func addresses(_ reader: inout ConfigReader, _ key: String) throws(ConfigError) -> [IPAddress] {
        try (reader.stringArray(key) ?? []).enumerated().map { (i, text) throws(ConfigError) in
            guard let address = parseAddress(text) else {
                throw .invalid(reader.path(key) + "[\(i)]", "\"\(text)\" is not an IP address")
            }
            return address
        }
    }

    /// `IP=10.1.2.3` (or `10.1.2.3/24`) from `CNI_ARGS`; a bad value is an environment error (4).
    static func address(fromCNIArgs args: CNIArgs?) throws(CNIError) -> IPAddress? {
        guard let text = args?["IP"], !text.isEmpty else { return nil }
        guard let address = parseAddress(text) else {
            throw CNIError(.invalidEnvironmentVariables, "ARGS: invalid IP address \"\(text)\"")
        }
        return address
    }

    /// An address, optionally with a prefix length that is then ignored (Go's `ip.ParseIP`).
    static func parseAddress(_ text: String) -> IPAddress? {
        IPAddress(text) ?? IPNetwork(text)?.address
    }
}
