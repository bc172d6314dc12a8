public import Addressing
public import CNI
public import JSON

extension BridgeConfig {
    /// The container MAC. Sources, lowest to highest precedence (the reference's order): CNI_ARGS `MAC`,
    /// `args.cni.mac`, `runtimeConfig.mac` (capability `mac`). Empty strings count as absent.
    /// Errors: an unparsable or non-unicast address: code 4 for CNI_ARGS, 7 for the config keys.
    public static func requestedMAC(
        environmentArgs: CNIArgs, configArgs: JSONObject, runtimeConfig: JSONObject
    ) throws(CNIError) -> MACAddress? {
        if let mac = try mac(runtimeConfig["mac"], from: "runtimeConfig.mac", code: .invalidNetworkConfig) {
            return mac
        }
        if let mac = try mac(configArgs["mac"], from: "args.cni.mac", code: .invalidNetworkConfig) { return mac }
        let environment = environmentArgs["MAC"].map { JSONValue.string($0) }
        return try mac(environment, from: "CNI_ARGS MAC", code: .invalidEnvironmentVariables)
    }

    /// One source of `requestedMAC`: nil when absent, null or empty, else a usable unicast MAC or an error.
    private static func mac(
        _ value: JSONValue?, from source: String, code: CNIError.Code
    ) throws(CNIError) -> MACAddress? {
        guard let value, !value.isNull, value != .string("") else { return nil }
        guard let text = value.stringValue else {
            throw CNIError(code, "\"\(source)\" must be a string, got \(value.typeName) \(value)")
        }
        guard let mac = MACAddress(text), mac.isUsableUnicast else {
            throw CNIError(code, "invalid \"\(source)\": \"\(text)\" is not a unicast MAC address")
        }
        return mac
    }

    /// `vlanTrunk`: a list of `{"id": n}` and `{"minID": a, "maxID": b}` (1...4094), flattened, sorted, unique.
    /// Messages follow the reference (`incorrect trunk minID parameter`, ...).
    static func vlanTrunk(_ items: [JSONValue]?) throws(ConfigError) -> [Int] {
        guard let items else { return [] }
        var ids = Set<Int>()
        for (i, item) in items.enumerated() {
            let path = "vlanTrunk[\(i)]"
            guard let object = item.objectValue else { throw .wrongType(path, expected: "an object", got: item) }
            var r = ConfigReader(object, path: path)
            let minID = try r.integer("minID", in: Int64.min...Int64.max)
            let maxID = try r.integer("maxID", in: Int64.min...Int64.max)
            let id = try r.integer("id", in: Int64.min...Int64.max)
            switch (minID, maxID) {
            case (let low?, let high?):
                guard (1...4094).contains(low) else { throw ConfigError("incorrect trunk minID parameter") }
                guard (1...4094).contains(high) else { throw ConfigError("incorrect trunk maxID parameter") }
                guard low <= high else { throw ConfigError("minID is greater than maxID in trunk parameter") }
                ids.formUnion(low...high)
            case (nil, _?):
                throw ConfigError("minID and maxID should be configured simultaneously, minID is missing")
            case (_?, nil):
                throw ConfigError("minID and maxID should be configured simultaneously, maxID is missing")
            case (nil, nil):
                break
            }
            if let id {
                guard (1...4094).contains(id) else { throw ConfigError("incorrect trunk id parameter") }
                ids.insert(id)
            }
        }
        return ids.sorted()
    }
}
