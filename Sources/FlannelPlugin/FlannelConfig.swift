import Addressing
public import CNI
public import JSON

/// flannel's own configuration (the `flannel` entry of the conflist):
/// `subnetFile`, `dataDir`, `delegate`, `ipam`, `runtimeConfig`, plus `name` and `cniVersion`.
public struct FlannelConfig: Sendable, Equatable {
    public static let defaultSubnetFile = "/run/flannel/subnet.env"
    public static let defaultDataDir = "/var/lib/cni/flannel"

    public var name: String
    /// `cniVersion` as written; nil when absent or empty (then the delegate gets none, as in the reference).
    public var cniVersion: String?
    public var subnetFile: String
    public var dataDir: String
    /// The user's `delegate` object, keys in order (empty when absent). Never has `name` or `ipam`;
    /// `type`, when present, is a string.
    public var delegate: JSONObject
    /// The base of the delegate's `ipam` (`routes`, when present, is a list of route objects).
    public var ipam: JSONObject?
    /// `runtimeConfig` when the runtime sent one (copied to the delegate).
    public var runtimeConfig: JSONObject?

    public init(
        name: String, cniVersion: String? = nil, subnetFile: String = defaultSubnetFile,
        dataDir: String = defaultDataDir, delegate: JSONObject = [:], ipam: JSONObject? = nil,
        runtimeConfig: JSONObject? = nil
    ) {
        self.name = name
        self.cniVersion = cniVersion
        self.subnetFile = subnetFile
        self.dataDir = dataDir
        self.delegate = delegate
        self.ipam = ipam
        self.runtimeConfig = runtimeConfig
    }
}

extension FlannelConfig {
    /// Reads flannel's keys from the request config and checks the delegate rules of the reference.
    public init(parsing config: NetworkConfig) throws(FlannelError) {
        let raw = config.raw
        self = try FlannelError.parsing { () throws(ConfigError) in
            var reader = ConfigReader(raw)
            let version = try reader.string("cniVersion")
            let delegate = try reader.object("delegate") ?? [:]
            try Self.checkDelegate(delegate)
            let ipam = try reader.object("ipam")
            try Self.checkRoutes(ipam)
            return FlannelConfig(
                name: config.name, cniVersion: version?.isEmpty == false ? version : nil,
                subnetFile: try Self.subnetFile(in: raw), dataDir: try Self.dataDir(in: raw), delegate: delegate,
                ipam: ipam, runtimeConfig: try reader.object("runtimeConfig"))
        }
    }

    /// `dataDir` alone: DEL needs it even when the rest of the config could not build a delegate.
    public static func dataDir(in raw: JSONObject) throws(ConfigError) -> String {
        var reader = ConfigReader(raw)
        return try reader.string("dataDir").flatMap { $0.isEmpty ? nil : $0 } ?? defaultDataDir
    }

    static func subnetFile(in raw: JSONObject) throws(ConfigError) -> String {
        var reader = ConfigReader(raw)
        return try reader.string("subnetFile").flatMap { $0.isEmpty ? nil : $0 } ?? defaultSubnetFile
    }

    /// The reference's rules and messages (flannel.go `cmdAdd`). A JSON `null` counts as present here,
    /// as Go's `hasKey` does.
    static func checkDelegate(_ delegate: JSONObject) throws(ConfigError) {
        if let type = delegate["type"], type.stringValue == nil {
            throw ConfigError("'delegate' dictionary, if present, must have (string) 'type' field")
        }
        if delegate.contains("name") {
            throw ConfigError("'delegate' dictionary must not have 'name' field, it'll be set by flannel")
        }
        if delegate.contains("ipam") {
            throw ConfigError("'delegate' dictionary must not have 'ipam' field, it'll be set by flannel")
        }
        if delegate["type"]?.stringValue == "" {
            throw ConfigError.invalid("delegate.type", "must not be empty")
        }
    }

    /// `ipam.routes` must read as CNI routes (the reference unmarshals them into `[]types.Route`).
    static func checkRoutes(_ ipam: JSONObject?) throws(ConfigError) {
        guard let ipam, let routes = ipam["routes"], !routes.isNull else { return }
        guard let list = routes.arrayValue else { throw .wrongType("ipam.routes", expected: "an array", got: routes) }
        for (i, route) in list.enumerated() {
            let path = "ipam.routes[\(i)]"
            guard let object = route.objectValue else { throw .wrongType(path, expected: "an object", got: route) }
            var reader = ConfigReader(object, path: path)
            guard try reader.network("dst") != nil else { throw .missing(path + ".dst") }
            _ = try reader.address("gw")
        }
    }
}
