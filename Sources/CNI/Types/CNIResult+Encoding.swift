public import JSON

extension CNIResult {
    /// The result as the JSON of `version` (the config's `cniVersion`). Throws for 0.1/0.2 when no
    /// address can be expressed (`cannot convert: no valid IP addresses`).
    public func json(version: CNIVersion) throws(CNIError) -> JSONValue {
        switch version.resultShape {
        case .legacy020: return try legacy020JSON(version: version)
        case .legacy040: return legacy040JSON(version: version)
        case .current: return currentJSON(version: version)
        }
    }

    func currentJSON(version: CNIVersion) -> JSONValue {
        var object = JSONObject()  // no dictionary literals here: they build an array of tuples (runtime metadata)
        object["cniVersion"] = .string(version.rawValue)
        if !interfaces.isEmpty { object["interfaces"] = .array(interfaces.map { $0.json(full: true) }) }
        if !ips.isEmpty { object["ips"] = .array(ips.map { $0.json(withVersion: false) }) }
        if !routes.isEmpty { object["routes"] = .array(routes.map { $0.json(full: true) }) }
        if !dns.isEmpty { object["dns"] = dns.json }
        return .object(object)
    }
}

extension CNIResult.Interface {
    func json(full: Bool) -> JSONValue {
        var object = JSONObject()
        object["name"] = .string(name)
        if let mac, !mac.isEmpty { object["mac"] = .string(mac) }
        if full, let mtu, mtu != 0 { object["mtu"] = .integer(Int64(mtu)) }
        if let sandbox, !sandbox.isEmpty { object["sandbox"] = .string(sandbox) }
        if full, let socketPath, !socketPath.isEmpty { object["socketPath"] = .string(socketPath) }
        if full, let pciID, !pciID.isEmpty { object["pciID"] = .string(pciID) }
        return .object(object)
    }
}

extension CNIResult.IPConfig {
    func json(withVersion: Bool) -> JSONValue {
        var object = JSONObject()
        if withVersion { object["version"] = .string(address.family.description) }
        if let interface { object["interface"] = .integer(Int64(interface)) }
        object["address"] = .string(address.description)
        if let gateway { object["gateway"] = .string(gateway.description) }
        return .object(object)
    }
}

extension CNIResult.Route {
    func json(full: Bool) -> JSONValue {
        var object = JSONObject()
        object["dst"] = .string(destination.description)
        if let gateway { object["gw"] = .string(gateway.description) }
        if full {
            if let mtu { object["mtu"] = .integer(Int64(mtu)) }
            if let advmss { object["advmss"] = .integer(Int64(advmss)) }
            if let priority { object["priority"] = .integer(Int64(priority)) }
            if let table { object["table"] = .integer(Int64(table)) }
            if let scope { object["scope"] = .integer(Int64(scope)) }
        }
        return .object(object)
    }
}

extension CNIResult.DNS {
    var json: JSONValue {
        var object = JSONObject()
        if !nameservers.isEmpty { object["nameservers"] = .array(nameservers.map { .string($0) }) }
        if let domain, !domain.isEmpty { object["domain"] = .string(domain) }
        if !search.isEmpty { object["search"] = .array(search.map { .string($0) }) }
        if !options.isEmpty { object["options"] = .array(options.map { .string($0) }) }
        return .object(object)
    }
}
