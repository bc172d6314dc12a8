import Addressing
import JSON

// The 0.3.x/0.4.0 shape (`ips[].version`, `"dns": {}` always) and the 0.1/0.2 shape (`ip4`/`ip6`).
extension CNIResult {
    func legacy040JSON(version: CNIVersion) -> JSONValue {
        var object = JSONObject()  // the shipped conflist's 0.3.1: no dictionary literal (see currentJSON)
        object["cniVersion"] = .string(version.rawValue)
        if !interfaces.isEmpty { object["interfaces"] = .array(interfaces.map { $0.json(full: false) }) }
        if !ips.isEmpty { object["ips"] = .array(ips.map { $0.json(withVersion: true) }) }
        if !routes.isEmpty { object["routes"] = .array(routes.map { $0.json(full: false) }) }
        object["dns"] = dns.json
        return .object(object)
    }

    /// Only the first IPv4 and the first IPv6 address survive; routes go to the family of their destination.
    func legacy020JSON(version: CNIVersion) throws(CNIError) -> JSONValue {
        var object: JSONObject = ["cniVersion": .string(version.rawValue)]
        let v4 = ips.first { $0.address.family == .v4 }
        let v6 = ips.first { $0.address.family == .v6 }
        guard v4 != nil || v6 != nil else {
            throw CNIError(.incompatibleCNIVersion, "cannot convert: no valid IP addresses")
        }
        for (key, ip, family) in [("ip4", v4, IPFamily.v4), ("ip6", v6, IPFamily.v6)] {
            guard let ip else { continue }
            var entry: JSONObject = ["ip": .string(ip.address.description)]
            if let gateway = ip.gateway { entry["gateway"] = .string(gateway.description) }
            let familyRoutes = routes.filter { $0.destination.family == family }
            if !familyRoutes.isEmpty { entry["routes"] = .array(familyRoutes.map { $0.json(full: false) }) }
            object[key] = .object(entry)
        }
        object["dns"] = dns.json
        return .object(object)
    }
}
