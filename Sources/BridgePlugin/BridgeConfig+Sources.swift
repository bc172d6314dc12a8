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
        let candidates = [
            MACSource(source: "runtimeConfig.mac", value: runtimeConfig["mac"], code: .invalidNetworkConfig),
            MACSource(source: "args.cni.mac", value: configArgs["mac"], code: .invalidNetworkConfig),
            MACSource(
                source: "CNI_ARGS MAC", value: environmentArgs["MAC"].map { .string($0) },
                code: .invalidEnvironmentVariables)
        ]
        for candidate in candidates {
            guard let value = candidate.value, !value.isNull, value != .string("") else { continue }
            guard let text = value.stringValue else {
                throw CNIError(
                    candidate.code, "\"\(candidate.source)\" must be a string, got \(value.typeName) \(value)")
            }
            guard let mac = MACAddress(text), mac.isUsableUnicast else {
                throw CNIError(
                    candidate.code, "invalid \"\(candidate.source)\": \"\(text)\" is not a unicast MAC address")
            }
            return mac
        }
        return nil
    }

    /// A struct rather than a tuple (an array of tuples needs its type metadata built at run time).
    private struct MACSource {
        let source: String
        let value: JSONValue?
        let code: CNIError.Code
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
