import Addressing
import CNI
import IPAM
import JSON

extension HostLocalConfig {
    /// The top-level `subnet`/`rangeStart`/`rangeEnd`/`gateway` form: one range set, or none when
    /// there is no `subnet`.
    static func legacyRange(_ reader: inout ConfigReader) throws(ConfigError) -> [[RangeEntry]] {
        guard reader.remaining["subnet"].map({ !$0.isNull }) ?? false else { return [] }
        return [[try RangeEntry(&reader)]]
    }

    /// `[[{subnet, rangeStart?, rangeEnd?, gateway?}, …], …]`.
    static func rangeSetList(_ list: [JSONValue]?, path: String) throws(ConfigError) -> [[RangeEntry]] {
        try (list ?? []).enumerated().map { (i, set) throws(ConfigError) in
            guard let ranges = set.arrayValue else {
                throw .wrongType(path + "[\(i)]", expected: "an array of ranges", got: set)
            }
            return try ranges.enumerated().map { (j, range) throws(ConfigError) in
                guard let object = range.objectValue else {
                    throw .wrongType(path + "[\(i)][\(j)]", expected: "an object", got: range)
                }
                var reader = ConfigReader(object, path: path + "[\(i)][\(j)]")
                return try RangeEntry(&reader)
            }
        }
    }

    /// Validates every set (`invalid range set N: …`), the version rule for several sets of one
    /// family, and that no two sets overlap.
    static func validated(_ entries: [[RangeEntry]], version: CNIVersion) throws(ConfigError) -> [AddressRangeSet] {
        guard !entries.isEmpty else { throw ConfigError("no IP ranges specified") }
        var sets: [AddressRangeSet] = []
        for (index, set) in entries.enumerated() {
            do {
                sets.append(try AddressRangeSet(set.map { (entry) throws(IPAMError) in try entry.range() }))
            } catch {
                throw ConfigError("invalid range set \(index): \(error)")
            }
        }
        let v4 = sets.filter { $0.family == .v4 }.count
        if v4 > 1 || sets.count - v4 > 1, version < .v0_3_0 {
            throw ConfigError("CNI version \(version) does not support more than 1 address per family")
        }
        do { try AddressRangeSet.validate(sets) } catch { throw ConfigError(error.description) }
        return sets
    }

    /// `[{dst, gw?, mtu?, advmss?, priority?, table?, scope?}]`.
    static func routes(_ list: [JSONValue]?, path: String) throws(ConfigError) -> [CNIResult.Route] {
        try (list ?? []).enumerated().map { (i, item) throws(ConfigError) in
            guard let object = item.objectValue else {
                throw .wrongType(path + "[\(i)]", expected: "an object", got: item)
            }
            var reader = ConfigReader(object, path: path + "[\(i)]")
            guard let destination = try reader.network("dst") else { throw .missing(reader.path("dst")) }
            var route = CNIResult.Route(destination: destination, gateway: try reader.address("gw"))
            route.mtu = try reader.integer("mtu", in: 0...Int64(Int32.max))
            route.advmss = try reader.integer("advmss", in: 0...Int64(Int32.max))
            route.priority = try reader.integer("priority", in: 0...Int64(Int32.max))
            route.table = try reader.integer("table", in: 0...Int64(UInt32.max))
            route.scope = try reader.integer("scope", in: 0...255)
            return route
        }
    }
}

/// One range as written in the config, before validation.
struct RangeEntry: Sendable {
    var subnet: IPNetwork
    var start: IPAddress?
    var end: IPAddress?
    var gateway: IPAddress?

    init(_ reader: inout ConfigReader) throws(ConfigError) {
        guard let subnet = try reader.network("subnet") else { throw .missing(reader.path("subnet")) }
        self.subnet = subnet
        start = try reader.address("rangeStart")
        end = try reader.address("rangeEnd")
        gateway = try reader.address("gateway")
    }

    func range() throws(IPAMError) -> AddressRange {
        try AddressRange(subnet: subnet, start: start, end: end, gateway: gateway)
    }
}
