import Addressing
public import JSON

extension CNIResult {
    /// Reads a result of any version (a `prevResult`, or a delegate's stdout) into the current model.
    /// 0.1/0.2 `ip4`/`ip6` become `ips` and `routes`; 0.3/0.4 `version` fields are dropped.
    public init(parsing object: JSONObject) throws(CNIError) {
        var reader = ConfigReader(object, path: "result")
        do throws(ConfigError) {
            interfaces = try Self.items(&reader, "interfaces", Interface.init(reading:))
            ips = try Self.items(&reader, "ips", IPConfig.init(reading:))
            routes = try Self.items(&reader, "routes", Route.init(reading:))
            dns =
                try reader.nested("dns").map { r throws(ConfigError) in
                    var r = r
                    return try DNS(reading: &r)
                } ?? DNS()
            for key in ["ip4", "ip6"] {
                guard var legacy = try reader.nested(key) else { continue }
                guard let address = try legacy.network("ip") else { throw .missing(legacy.path("ip")) }
                ips.append(IPConfig(address: address, gateway: try legacy.address("gateway")))
                routes += try Self.items(&legacy, "routes", Route.init(reading:))
            }
        } catch {
            throw CNIError(.decodingFailure, "failed to parse result: \(error.message)")
        }
    }

    private static func items<T>(
        _ reader: inout ConfigReader, _ key: String, _ make: (inout ConfigReader) throws(ConfigError) -> T
    ) throws(ConfigError) -> [T] {
        guard let list = try reader.array(key) else { return [] }
        var out: [T] = []
        for (i, item) in list.enumerated() {
            let path = reader.path(key) + "[\(i)]"
            guard let object = item.objectValue else { throw .wrongType(path, expected: "an object", got: item) }
            var nested = ConfigReader(object, path: path)
            out.append(try make(&nested))
        }
        return out
    }
}

extension CNIResult.Interface {
    init(reading r: inout ConfigReader) throws(ConfigError) {
        self.init(
            name: try r.requiredString("name"), mac: try r.string("mac"), mtu: try r.integer("mtu", in: 0...65535),
            sandbox: try r.string("sandbox"))
        socketPath = try r.string("socketPath")
        pciID = try r.string("pciID")
    }
}

extension CNIResult.IPConfig {
    init(reading r: inout ConfigReader) throws(ConfigError) {
        guard let address = try r.network("address") else { throw .missing(r.path("address")) }
        self.init(
            address: address, gateway: try r.address("gateway"),
            interface: try r.integer("interface", in: 0...Int64(Int32.max)))
    }
}

extension CNIResult.Route {
    init(reading r: inout ConfigReader) throws(ConfigError) {
        guard let destination = try r.network("dst") else { throw .missing(r.path("dst")) }
        self.init(destination: destination.network, gateway: try r.address("gw"))
        mtu = try r.integer("mtu", in: 0...Int64(Int32.max))
        advmss = try r.integer("advmss", in: 0...Int64(Int32.max))
        priority = try r.integer("priority", in: 0...Int64(UInt32.max))
        table = try r.integer("table", in: 0...Int64(UInt32.max))
        scope = try r.integer("scope", in: 0...255)
    }
}

extension CNIResult.DNS {
    /// Reads `{nameservers, domain, search, options}` (also the `dns` key of configs).
    public init(reading r: inout ConfigReader) throws(ConfigError) {
        self.init(
            nameservers: try r.stringArray("nameservers") ?? [], domain: try r.string("domain"),
            search: try r.stringArray("search") ?? [], options: try r.stringArray("options") ?? [])
    }
}
