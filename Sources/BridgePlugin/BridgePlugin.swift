public import CNI
public import Delegate
public import Firewall

/// The `bridge` main plugin: a Linux bridge on the host, one veth pair per attachment, addresses from a delegated
/// IPAM plugin, optional gateway/masquerade/VLAN/spoof-check setup. Drop-in compatible with the reference plugin
/// (same config keys, result shape, names of host veths and firewall rules).
public struct BridgePlugin: CNIPlugin {
    public var about: String { ProjectInfo.about("bridge") }
    /// CNI_ARGS understood on ADD/CHECK (the reference's `MacEnvArgs`).
    public var knownArgs: [String]? { ["MAC"] }

    let delegates: any DelegateRunner
    let firewall: any FirewallRunner

    /// - Parameters:
    ///   - delegates: runs the IPAM plugin (production: exec from CNI_PATH).
    ///   - firewall: runs iptables/nft (production: posix_spawn).
    public init(
        delegates: any DelegateRunner = ExecDelegateRunner(), firewall: any FirewallRunner = SpawnFirewallRunner()
    ) {
        self.delegates = delegates
        self.firewall = firewall
    }

    /// ADD: starts `host-local`, the IPAM of flannel's delegate config and of most bridge configs, before the config
    /// is parsed, so that its start-up overlaps with this ADD's parsing and checks. Another `ipam.type`, or
    /// any error, kills it before it read a byte (`ExecDelegateRunner.prestart`); the IPAM is then started as usual.
    /// ADD and DEL first take the pod's namespace lock, which every child inherits (`NamespaceLock`).
    public func prepare(_ command: Command, environment: Environment) {
        NamespaceLock.take(command, environment: environment)
        guard command == .add else { return }
        delegates.prestart(Self.expectedIPAMType, .add, environment: environment)
    }

    /// The IPAM type `prepare` starts ahead of the config.
    static let expectedIPAMType = "host-local"

    var masquerade: Masquerade { Masquerade(runner: firewall) }

    func owner(_ call: Invocation) -> MasqueradeOwner {
        MasqueradeOwner(network: call.config.name, containerID: call.containerID, ifName: call.ifName)
    }
}
