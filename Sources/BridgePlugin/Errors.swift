public import CNI
public import Firewall
public import NetNS
public import Netlink
import Posix

/// Failures the bridge plugin itself detects (as opposed to errors of the libraries it calls).
public enum BridgeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// CNI_IFNAME is already taken in the container's namespace.
    case interfaceExists(name: String, netns: String)
    /// Ten random host veth names were all taken.
    case vethNamesExhausted
    /// The gateway address conflicts with an address already on the bridge (cni.md §4 item 1).
    case bridgeAddressConflict(bridge: String, wanted: String, existing: String, otherPorts: Int)
    case portNotForwarding(String)
    /// `vlan`/`vlanTrunk` on a kernel built without CONFIG_BRIDGE_VLAN_FILTERING.
    case vlanFilteringUnsupported
    case missingIPConfig
    case duplicateAddressDetected(interface: String, address: String)
    case tentativeAddresses(interface: String)
    /// CHECK found something that differs from prevResult.
    case checkFailed(String)

    public var description: String {
        switch self {
        case .interfaceExists(let name, let netns):
            "interface \"\(name)\" already exists in network namespace \(netns): CNI_IFNAME must name a new interface"
        case .vethNamesExhausted: "failed to find a free host veth name after 10 attempts"
        case .bridgeAddressConflict(let bridge, let wanted, let existing, let ports):
            "\"\(bridge)\" already has an IP address different from \(wanted) (it has \(existing) and \(ports) other "
                + "attached port\(ports == 1 ? "" : "s"); set \"forceAddress\": true to replace it, or delete \(bridge) "
                + "once its pods are gone)"
        case .portNotForwarding(let state): "bridge port in error state: \(state)"
        case .vlanFilteringUnsupported:
            "this kernel does not support bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING), needed for \"vlan\" and \"vlanTrunk\""
        case .missingIPConfig: "IPAM plugin returned missing IP config"
        case .duplicateAddressDetected(let interface, let address):
            "link \(interface) has address \(address) in DADFAILED state"
        case .tentativeAddresses(let interface): "link \(interface) still has tentative addresses after 5 seconds"
        case .checkFailed(let text): text
        }
    }
}

// The one place where library errors get CNI codes (STYLE.md §4). `step(...)` keeps these codes when it adds context.

extension BridgeError: CNIErrorConvertible {
    public var cniError: CNIError {
        switch self {
        case .interfaceExists: CNIError(.invalidEnvironmentVariables, description)
        // The config's gateway does not fit the node's bridge, or asks for VLANs this kernel lacks, or its IPAM
        // hands out nothing: configuration problems, fixed by changing the config (or forceAddress).
        case .bridgeAddressConflict, .vlanFilteringUnsupported, .missingIPConfig:
            CNIError(.invalidNetworkConfig, description)
        // Transient: the port or DAD may settle, another random veth name may be free.
        case .portNotForwarding, .tentativeAddresses, .vethNamesExhausted: CNIError(.tryAgainLater, description)
        case .duplicateAddressDetected, .checkFailed: CNIError(.internalError, description)
        }
    }
}

extension NetlinkError: CNIErrorConvertible {
    public var cniError: CNIError {
        switch self {
        case .wrongKind: CNIError(.invalidNetworkConfig, description)
        case .invalidArgument: CNIError(.invalidNetworkConfig, description)
        case .kernel(let errno, _, _) where errno == .busy || errno == .tryAgain: CNIError(.tryAgainLater, description)
        case .interrupted: CNIError(.tryAgainLater, description)
        default: CNIError(.internalError, description)
        }
    }
}

extension NetNSError: CNIErrorConvertible {
    public var cniError: CNIError {
        switch self {
        case .notFound, .notANamespace, .openFailed, .enterFailed:
            CNIError(.invalidNetNS, "failed to open netns: \(description)")
        case .threadFailed: CNIError(.tryAgainLater, description)
        }
    }
}

extension FirewallError: CNIErrorConvertible {
    /// iptables exits with 4 for "resource problem", which is how the xtables lock shows up.
    public var cniError: CNIError {
        exitCode == 4 ? CNIError(.tryAgainLater, description) : CNIError(.internalError, description)
    }
}

/// `step` for work on a noncopyable value (a netlink socket, a namespace handle): the value is passed to the body
/// instead of being captured, which closures cannot do for noncopyable values.
func step<Subject: ~Copyable, T>(
    _ context: String, on subject: borrowing Subject, _ body: (borrowing Subject) throws -> T
) throws(CNIError) -> T {
    do {
        return try body(subject)
    } catch {
        throw CNIError(wrapping: error).prefixed(context)
    }
}
