import Addressing
public import JSON

/// Builds the delegated plugin's config from flannel's config and the node's lease, as the reference
/// `doCmdAdd`/`getDelegateIPAM` do (cni.md §3.3). A pure function: no files, no environment.
///
/// Key order of the result: `cniVersion`, `name`, `type`, the user's `delegate` keys in their order,
/// then the defaults (`ipMasq`, `mtu`, `isGateway`), `runtimeConfig` and `ipam`. The reference
/// (Go maps) sorts keys; the two documents are JSON-equal.
public enum DelegateConfig {
    /// The delegate used when `delegate.type` is absent.
    public static let defaultType = "bridge"

    public static func make(_ config: FlannelConfig, _ lease: SubnetEnv) -> JSONObject {
        var delegate = JSONObject()
        if let version = config.cniVersion { delegate["cniVersion"] = .string(version) }
        delegate["name"] = .string(config.name)
        let type = type(for: config)
        delegate["type"] = .string(type)
        for (key, value) in config.delegate where !delegate.contains(key) {
            delegate[key] = value  // pass-through: hairpinMode, isDefaultGateway, bridge, forceAddress, …
        }
        delegate.setIfAbsent("ipMasq", .bool(!lease.ipMasq))  // flanneld masquerades unless told not to
        delegate.setIfAbsent("mtu", .integer(Int64(lease.mtu)))
        if type == defaultType { delegate.setIfAbsent("isGateway", true) }
        if let runtimeConfig = config.runtimeConfig { delegate["runtimeConfig"] = .object(runtimeConfig) }
        delegate["ipam"] = .object(makeIPAM(config.ipam, lease))
        return delegate
    }

    /// The delegate's plugin type: `delegate.type` (validated non-empty by `FlannelConfig`), else bridge.
    public static func type(for config: FlannelConfig) -> String { config.delegate["type"]?.stringValue ?? defaultType }

    /// `ipam` ← flannel's `ipam` (or `{}`); `type` defaults to host-local; `ranges` is always replaced
    /// by one range set per family; `routes` keeps the user's and adds one per cluster network.
    static func makeIPAM(_ base: JSONObject?, _ lease: SubnetEnv) -> JSONObject {
        var ipam = base ?? [:]
        ipam.setIfAbsent("type", "host-local")
        let subnets = [lease.subnet, lease.ipv6Subnet].compactMap { $0 }
        ipam["ranges"] = .array(subnets.map { subnet in [member("subnet", .string(subnet.description))] })
        let routes = (ipam["routes"]?.arrayValue ?? []).map(canonicalRoute)
        let clusterRoutes = (lease.networks + lease.ipv6Networks).map { member("dst", .string($0.description)) }
        ipam["routes"] = .array(routes + clusterRoutes)
        return ipam
    }

    /// `{key: value}`, built without a dictionary literal (which makes an array of tuples, whose type metadata the
    /// runtime builds by demangling on first use).
    private static func member(_ key: String, _ value: JSONValue) -> JSONValue {
        var object = JSONObject()
        object[key] = value
        return .object(object)
    }

    /// A user route with `dst` and `gw` in Go's canonical spelling (the reference re-encodes them
    /// through `types.Route`); other keys are kept. Input was validated by `FlannelConfig`.
    private static func canonicalRoute(_ route: JSONValue) -> JSONValue {
        guard var object = route.objectValue else { return route }
        if let dst = object["dst"]?.stringValue, let network = IPNetwork(dst) {
            object["dst"] = .string(network.description)
        }
        if let gw = object["gw"]?.stringValue, let address = IPAddress(gw) {
            object["gw"] = .string(address.description)
        }
        return .object(object)
    }

    /// The delegate's plugin type (always a non-empty string in configs this module built or stored).
    public static func type(of delegate: JSONObject) -> String? {
        guard let type = delegate["type"]?.stringValue, !type.isEmpty else { return nil }
        return type
    }
}
