import Addressing
public import CNI
public import IPAM
import Posix

/// The `host-local` IPAM plugin: addresses from configured ranges, recorded one file per address
/// in the same layout as Go host-local (see `FileStore`), plus CNI 1.1 GC and STATUS and release of
/// reservations left over from before a reboot.
public struct HostLocalPlugin: CNIPlugin {
    /// Where the boot identity is read (tests point it at files).
    public var boot: BootSource
    /// How long ADD/DEL/CHECK/GC wait for the network's lock.
    public var lockTimeoutMilliseconds: Int

    public init(boot: BootSource = BootSource(), lockTimeoutMilliseconds: Int = 60_000) {
        self.boot = boot
        self.lockTimeoutMilliseconds = lockTimeoutMilliseconds
    }

    public var about: String { ProjectInfo.about("host-local") }
    public var knownArgs: [String]? { ["IP"] }

    public func add(_ call: Invocation) throws -> CNIResult {
        let config = try HostLocalConfig(parsing: call.config, cniArgs: call.args)
        let dns = try config.resolvConf.map { (path) throws(CNIError) in try ResolvConf.load(path) } ?? CNIResult.DNS()
        let allocations = try withStore(config) { (store) throws(IPAMError) in
            try config.allocator.allocate(for: call.owner, requesting: config.requestedAddresses, in: &store)
        }
        return CNIResult(
            ips: allocations.map { CNIResult.IPConfig(address: $0.network, gateway: $0.range.gateway) },
            routes: config.routes, dns: dns)
    }

    /// Idempotent: nothing reserved (or no directory at all) is success.
    public func del(_ call: Invocation) throws {
        let config = try HostLocalConfig(parsing: call.config)
        guard FileSystem.isDirectory(config.networkDirectory) else { return }
        try withStore(config) { (store) throws(IPAMError) in
            try config.allocator.release(call.owner, in: &store)
        }
    }

    public func check(_ call: Invocation) throws {
        let config = try HostLocalConfig(parsing: call.config, cniArgs: call.args)
        var held: [IPAddress] = []
        if FileSystem.isDirectory(config.networkDirectory) {
            held = try withStore(config) { (store) throws(IPAMError) in
                try config.allocator.addresses(of: call.owner, in: &store)
            }
        }
        guard !held.isEmpty else { throw IPAMError.reservationNotFound(containerID: call.containerID) }
    }

    /// Releases reservations of attachments missing from `cni.dev/valid-attachments` (a null or empty
    /// list means "none are valid", as libcni sends an empty set). Without the key there is nothing to
    /// decide on, so nothing is released.
    public func gc(_ call: Invocation) throws {
        let config = try HostLocalConfig(parsing: call.config)
        guard let attachments = call.config.validAttachments else {
            return call.log("host-local: GC without cni.dev/valid-attachments: nothing released")
        }
        guard FileSystem.isDirectory(config.networkDirectory) else { return }
        let valid = Set(attachments.map { Owner(containerID: $0.containerID, ifName: $0.ifName) })
        try withStore(config) { (store) throws(IPAMError) in
            try config.allocator.collectGarbage(keeping: valid, in: &store)
        }
    }

    /// Code 50 when an ADD cannot succeed: the data directory cannot be created or written, its
    /// lock stays busy, or some range set has no free address.
    public func status(_ call: Invocation) throws {
        let config = try HostLocalConfig(parsing: call.config)
        let exhausted = try usableRangeSets(config)
        guard exhausted.isEmpty else {
            let sets = exhausted.map { "range set \($0) (\(config.rangeSets[$0]))" }.joined(separator: ", ")
            throw CNIError(.pluginNotAvailable, "host-local: no IP addresses available in \(sets)")
        }
    }
}

extension Invocation {
    /// The attachment as IPAM sees it.
    var owner: Owner { Owner(containerID: containerID, ifName: ifName) }
}
