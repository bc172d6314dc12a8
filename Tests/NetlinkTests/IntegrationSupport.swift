import NetNS
import Netlink
import TestSupport
import Testing

/// Runs `body` with a netlink socket opened inside `namespace` (on NetNS.run's helper thread).
/// Assertions belong outside: return what must be checked.
func withNetlink<T>(in namespace: TestNamespace, _ body: (borrowing NetlinkSocket) throws -> T) throws -> T {
    let netns = try NetNS.open(path: namespace.path)
    return try netns.run {
        let netlink = try NetlinkSocket()
        return try body(netlink)
    }
}

/// The NetlinkError thrown by `body`, or nil when it succeeded (any other error is recorded as an issue).
func netlinkError(_ body: () throws -> Void) -> NetlinkError? {
    do {
        try body()
        return nil
    } catch let error as NetlinkError {
        return error
    } catch {
        Issue.record("unexpected error type: \(error)")
        return nil
    }
}

/// Optional kernel features, probed once in a throw-away namespace.
enum KernelSupport {
    /// Whether bridges can do VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING); RTM_NEWLINK answers EOPNOTSUPP without.
    static let bridgeVLANFiltering: Bool = {
        guard TestEnvironment.canManageNetNS, let ns = try? TestNamespace("nlprobe") else { return false }
        let error = try? withNetlink(in: ns) { nl in
            netlinkError { _ = try nl.ensureBridge(named: "br0", vlanFiltering: true) }
        }
        return error == nil
    }()
}
