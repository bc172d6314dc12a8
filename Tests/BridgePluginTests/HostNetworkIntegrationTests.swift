import NetNS
import Netlink
import TestSupport
import Testing

@testable import BridgePlugin

/// HostNetwork's steps against a real namespace.
@Suite(.enabled(if: TestEnvironment.integrationEnabled))
struct HostNetworkIntegrationTests {
    /// A port that disappears while its ADD waits for it to forward (a DEL of the same attachment ran meanwhile)
    /// fails the wait with "not found" at once, instead of polling the stale value until the 2.5 s deadline and
    /// then blaming the port state.
    @Test func waitForForwardingFailsWhenThePortIsGone() throws {
        guard requireNetNS() else { return }
        let ns = try TestNamespace("hnt")
        let error = try NetNS.open(path: ns.path).run { () throws -> NetlinkError? in
            let host = try HostNetwork()
            let port = try host.nl.createVeth(named: "vethgone", peer: VethPeer(name: "vethpeer"))
            try host.nl.deleteLink(index: port.index)
            do {
                _ = try host.waitForForwarding(port)
                return nil
            } catch let error as NetlinkError {
                return error
            }
        }
        #expect(error?.isNotFound == true, "\(String(describing: error))")
    }
}
