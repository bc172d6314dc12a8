import Addressing
import BridgePlugin
import CNI
import FlannelPlugin
import HostLocalPlugin
import IPAM
import JSON

/// Each plugin's config parser on stdin bytes (optionally preceded by a `CNI_ARGS=...` line). Errors are CNI
/// errors with a message and one of the config codes; accepted configs satisfy what the parser promises.
enum ConfigChecks {
    static let configErrorCodes: Set<Int> = [1, 4, 6, 7]

    /// The common envelope; the decoded document re-encoded parses to the same config.
    static func networkConfig(_ bytes: [UInt8]) {
        guard let config = decode(bytes) else { return }
        require(Identifiers.isValidName(config.name), "accepted network name \(config.name.debugDescription)")
        let text = JSONValue.object(config.raw).bytes()
        var again = decode(text)
        again?.bytes = config.bytes
        require(again == config, "config does not round-trip through its JSON: \(config.raw)")
    }

    /// flannel: its keys and delegate rules; the delegate config it builds from any accepted config is a valid
    /// network config for the delegate (and, for the default delegate with nothing user-supplied, a valid bridge and
    /// host-local config), with one range per lease family and a route per cluster network.
    static func flannel(_ bytes: [UInt8]) {
        storedDelegate(bytes)
        guard let network = decode(bytes) else { return }
        let config: FlannelConfig
        do { config = try FlannelConfig(parsing: network) } catch {
            expectConfigError(error.cniError)
            return
        }
        for lease in leases {
            let delegate = DelegateConfig.make(config, lease)
            require(delegate["name"] == .string(config.name), "delegate name")
            // What ADD stores is what DEL, CHECK and GC read back.
            let stored = JSONValue.object(delegate).bytes()
            guard case .found(let loaded) = DelegateStore.parse(stored) else {
                require(false, "stored delegate config does not load back: \(delegate)")
                return
            }
            require(loaded.type == DelegateConfig.type(for: config) && loaded.object == delegate, "stored config")
            // The user's delegate keys pass through unchecked, as in the reference: envelope keys there (a
            // `cniVersion` when flannel has none, a non-object `args`, ...) are the delegate's to reject.
            let envelope = [
                "cniVersion", "dns", "args", "prevResult", "cni.dev/valid-attachments", "cni.dev/attachments"
            ]
            guard let parsed = decode(JSONValue.object(delegate).bytes()) else {
                require(
                    envelope.contains(where: config.delegate.contains),
                    "flannel's delegate config is rejected: \(delegate)")
                continue
            }
            let ranges = parsed.ipam?["ranges"]?.arrayValue ?? []
            require(ranges.count == [lease.subnet, lease.ipv6Subnet].compactMap({ $0 }).count, "delegate ranges")
            let routes = parsed.ipam?["routes"]?.arrayValue ?? []
            require(routes.count >= lease.networks.count + lease.ipv6Networks.count, "delegate routes")
            if config.delegate.isEmpty, config.ipam == nil, config.runtimeConfig == nil {
                do {
                    _ = try BridgeConfig(parsing: parsed)
                    _ = try HostLocalConfig(parsing: parsed)
                } catch {
                    require(false, "default delegate config rejected (\(error)): \(delegate)")
                }
            }
        }
    }

    /// The file flannel stores per container, as DEL reads it (any bytes: it may be corrupt): a found config keeps
    /// its bytes and has a non-empty string `type`.
    static func storedDelegate(_ bytes: [UInt8]) {
        guard case .found(let stored) = DelegateStore.parse(bytes) else { return }
        require(stored.bytes == bytes && !stored.type.isEmpty, "stored config")
        require(stored.object["type"] == .string(stored.type), "stored type \(stored.type) is not the object's")
    }

    static let leases = [
        SubnetEnv(
            networks: [IPNetwork("10.244.0.0/16")!], subnet: IPNetwork("10.244.1.0/24")!, mtu: 1450, ipMasq: true),
        SubnetEnv(
            networks: [IPNetwork("10.244.0.0/16")!, IPNetwork("10.245.0.0/16")!], subnet: IPNetwork("10.244.1.0/24")!,
            ipv6Networks: [IPNetwork("fd00::/56")!], ipv6Subnet: IPNetwork("fd00:0:0:1::/64")!, mtu: 1400,
            ipMasq: false)
    ]

    /// bridge: parsing is deterministic; VLAN ids and MTU are in range; errors are config errors.
    static func bridge(_ bytes: [UInt8]) {
        let (argsText, rest) = splitEnvironmentArgs(bytes)
        guard let network = decode(rest), let args = environmentArgs(argsText) else { return }
        let config: BridgeConfig
        do { config = try BridgeConfig(parsing: network, environmentArgs: args) } catch {
            expectConfigError(error)
            return
        }
        require((0...4094).contains(config.vlan), "vlan \(config.vlan)")
        require(config.vlanTrunk.allSatisfy { (1...4094).contains($0) }, "vlanTrunk \(config.vlanTrunk)")
        require(config.mtu.map { $0 >= 0 } ?? true, "mtu \(config.mtu!)")
        let again = try? BridgeConfig(parsing: network, environmentArgs: args)
        require(again == config, "bridge parse not deterministic")
    }

    /// host-local: every accepted range lies in its subnet (start <= end), a set has one family, no two ranges
    /// overlap, requested addresses are unique, and parsing is deterministic.
    static func hostLocal(_ bytes: [UInt8]) {
        let (argsText, rest) = splitEnvironmentArgs(bytes)
        guard let network = decode(rest), let args = environmentArgs(argsText) else { return }
        let config: HostLocalConfig
        do { config = try HostLocalConfig(parsing: network, cniArgs: args) } catch {
            expectConfigError(error)
            return
        }
        require(!config.rangeSets.isEmpty, "no range set")
        let all = config.rangeSets.flatMap(\.ranges)
        for set in config.rangeSets {
            require(!set.ranges.isEmpty && set.ranges.allSatisfy { $0.family == set.family }, "mixed set \(set)")
        }
        for (i, range) in all.enumerated() {
            require(range.subnet.contains(range.start) && range.subnet.contains(range.end), "range \(range) outside")
            require(range.start <= range.end, "range \(range) backwards")
            for other in all[(i + 1)...] { require(!range.overlaps(other), "\(range) overlaps \(other)") }
        }
        require(Set(config.requestedAddresses).count == config.requestedAddresses.count, "duplicate requests")
        require(!config.dataDir.isEmpty, "empty dataDir")
        require((try? HostLocalConfig(parsing: network, cniArgs: args)) == config, "host-local parse not deterministic")
    }

    static func decode(_ bytes: [UInt8]) -> NetworkConfig? {
        do { return try NetworkConfig(parsing: bytes) } catch {
            expectConfigError(error)
            return nil
        }
    }

    static func environmentArgs(_ text: String?) -> CNIArgs? {
        guard let text else { return CNIArgs() }
        do { return try CNIArgs(parsing: text) } catch {
            expectConfigError(error)
            return nil
        }
    }

    static func expectConfigError(_ error: CNIError) {
        require(configErrorCodes.contains(error.code.rawValue), "error code \(error.code): \(error.message)")
        require(!error.message.isEmpty, "error without a message")
        let printed = error.json(version: "1.0.0")
        require((try? JSONValue.parse(printed.bytes())) == printed, "error JSON does not round-trip: \(printed)")
    }
}
