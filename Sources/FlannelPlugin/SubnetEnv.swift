public import Addressing
import Posix

/// The node's flannel lease, as flanneld writes it to `/run/flannel/subnet.env`:
///
/// ```
/// FLANNEL_NETWORK=10.244.0.0/16
/// FLANNEL_SUBNET=10.244.1.1/24
/// FLANNEL_MTU=1450
/// FLANNEL_IPMASQ=true
/// ```
///
/// Parsed like the reference `loadFlannelSubnetEnv`: lines split at the first `=`, unknown keys
/// ignored, a later line for the same key wins, networks are comma lists with duplicates dropped,
/// host bits are dropped (`10.244.1.1/24` → `10.244.1.0/24`), `FLANNEL_IPMASQ` is true only for `true`.
public struct SubnetEnv: Sendable, Equatable {
    /// `FLANNEL_NETWORK`: the IPv4 cluster networks (each becomes a route).
    public var networks: [IPNetwork] = []
    /// `FLANNEL_SUBNET`: this node's IPv4 pod subnet (the host-local range).
    public var subnet: IPNetwork?
    /// `FLANNEL_IPV6_NETWORK`.
    public var ipv6Networks: [IPNetwork] = []
    /// `FLANNEL_IPV6_SUBNET`.
    public var ipv6Subnet: IPNetwork?
    /// `FLANNEL_MTU`.
    public var mtu: UInt32
    /// `FLANNEL_IPMASQ`: flanneld masquerades pod traffic itself (so the delegate must not).
    public var ipMasq: Bool

    public init(
        networks: [IPNetwork] = [], subnet: IPNetwork? = nil, ipv6Networks: [IPNetwork] = [],
        ipv6Subnet: IPNetwork? = nil, mtu: UInt32, ipMasq: Bool
    ) {
        self.networks = networks
        self.subnet = subnet
        self.ipv6Networks = ipv6Networks
        self.ipv6Subnet = ipv6Subnet
        self.mtu = mtu
        self.ipMasq = ipMasq
    }
}

/// What is wrong with a subnet.env: every bad value and every missing key, reported together.
public struct SubnetEnvError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    /// `invalid FLANNEL_MTU "abc": not an unsigned 32-bit integer`, in file order.
    public var invalid: [String]
    /// Missing keys in the reference's order and grouping (`FLANNEL_NETWORK, FLANNEL_IPV6_NETWORK`).
    public var missing: [String]

    public var description: String {
        var parts = invalid.map { "\(path): \($0)" }
        if !missing.isEmpty { parts.append("\(path) is missing \(missing.joined(separator: ", "))") }
        return parts.joined(separator: "; ")
    }
}

extension SubnetEnv {
    /// Reads and parses the file at `path`.
    public static func load(_ path: String) throws(FlannelError) -> SubnetEnv {
        let text: String
        do { text = try FileSystem.readText(path) } catch { throw .subnetEnvUnavailable(path: path, error) }
        do { return try SubnetEnv(parsing: text, path: path) } catch { throw .subnetEnvInvalid(error) }
    }

    /// Parses the text of a subnet.env (`path` only names the file in errors).
    public init(parsing text: String, path: String) throws(SubnetEnvError) {
        var fields = Fields()
        // Lines and `=` found on the UTF-8 bytes (ASCII), not by Character. A CR before the LF is trimmed with the
        // other whitespace.
        for line in ASCII.split(text, on: UInt8(ascii: "\n"), omittingEmpty: true) {
            if let equals = line.utf8.firstIndex(of: UInt8(ascii: "=")) {
                let value = line[line.utf8.index(after: equals)...]
                fields.read(key: trimmed(line[..<equals]), value: trimmed(value))
            } else {
                fields.read(key: trimmed(line), value: "")
            }
        }
        let missing = fields.missing
        guard fields.invalid.isEmpty, missing.isEmpty, let mtu = fields.mtu, let ipMasq = fields.ipMasq else {
            throw SubnetEnvError(path: path, invalid: fields.invalid, missing: missing)
        }
        self.init(
            networks: fields.networks ?? [], subnet: fields.subnet, ipv6Networks: fields.ipv6Networks ?? [],
            ipv6Subnet: fields.ipv6Subnet, mtu: mtu, ipMasq: ipMasq)
    }
}

/// The keys as they are read, before the required ones are checked.
private struct Fields {
    var networks: [IPNetwork]?
    var subnet: IPNetwork?
    var ipv6Networks: [IPNetwork]?
    var ipv6Subnet: IPNetwork?
    var mtu: UInt32?
    var ipMasq: Bool?
    /// Keys that appeared with a bad value (they are not also reported as missing).
    var seenInvalid: Set<String> = []
    var invalid: [String] = []

    mutating func read(key: String, value: String) {
        switch key {
        case "FLANNEL_NETWORK": networks = networkList(key, value)
        case "FLANNEL_SUBNET": subnet = network(key, value)
        case "FLANNEL_IPV6_NETWORK": ipv6Networks = networkList(key, value)
        case "FLANNEL_IPV6_SUBNET": ipv6Subnet = network(key, value)
        case "FLANNEL_MTU": mtu = unsigned(key, value)
        case "FLANNEL_IPMASQ": ipMasq = value == "true"
        default: break  // flanneld may add keys; the reference ignores unknown ones
        }
    }

    /// The reference's `missing()`: one family of network and subnet is enough.
    var missing: [String] {
        var keys: [String] = []
        if networks == nil, ipv6Networks == nil,
            seenInvalid.isDisjoint(with: ["FLANNEL_NETWORK", "FLANNEL_IPV6_NETWORK"])
        {
            keys += ["FLANNEL_NETWORK", "FLANNEL_IPV6_NETWORK"]
        }
        if subnet == nil, ipv6Subnet == nil, seenInvalid.isDisjoint(with: ["FLANNEL_SUBNET", "FLANNEL_IPV6_SUBNET"]) {
            keys += ["FLANNEL_SUBNET", "FLANNEL_IPV6_SUBNET"]
        }
        if mtu == nil, !seenInvalid.contains("FLANNEL_MTU") { keys.append("FLANNEL_MTU") }
        if ipMasq == nil { keys.append("FLANNEL_IPMASQ") }
        return keys
    }

    private mutating func network(_ key: String, _ text: String) -> IPNetwork? {
        guard let network = IPNetwork(text) else { return reject(key, text, "not a CIDR") }
        return network.network
    }

    private mutating func networkList(_ key: String, _ text: String) -> [IPNetwork]? {
        var list: [IPNetwork] = []
        for item in ASCII.split(text, on: UInt8(ascii: ",")) {
            let item = trimmed(item)
            guard let network = IPNetwork(item) else { return reject(key, item, "not a CIDR") }
            if !list.contains(network.network) { list.append(network.network) }
        }
        return list
    }

    /// Decimal digits only, like Go's `strconv.ParseUint(s, 10, 32)`.
    private mutating func unsigned(_ key: String, _ text: String) -> UInt32? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = UInt32(text) else {
            return reject(key, text, "not an unsigned 32-bit integer")
        }
        return value
    }

    private mutating func reject<T>(_ key: String, _ text: String, _ reason: String) -> T? {
        seenInvalid.insert(key)
        invalid.append("invalid \(key) \"\(text)\": \(reason)")
        return nil
    }
}

/// Without leading and trailing ASCII whitespace (flanneld writes none; hand-edited files may).
private func trimmed(_ text: Substring) -> String { String(ASCII.trimmingWhitespace(text)) }
