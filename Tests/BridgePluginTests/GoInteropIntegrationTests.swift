import BridgePlugin
import Firewall
import JSON
import TestSupport
import Testing

/// Either implementation tears down what the other set up (veth, IPAM reservation, iptables masquerade chain).
@Suite(.serialized, .enabled(if: TestEnvironment.integrationEnabled))
struct GoInteropIntegrationTests {
    static let goBridge = TestEnvironment.goPluginDirectory + "/bridge"

    @Test func oursAddGoDel() throws {
        guard requireNetNS(), Prerequisite.goPlugins.require() else { return }
        let h = try BridgeHarness(["isGateway": true, "ipMasq": true])
        let pod = try h.pod()
        _ = try h.add(pod)
        #expect(try h.nat().contains(#"id: \"c1\""#))
        let del = try h.run("DEL", pod, plugin: Self.goBridge)
        #expect(del.exitCode == 0, "\(del.stdout)")
        #expect(try h.hostVeths().isEmpty && h.reservations().isEmpty && !h.nat().contains("CNI-"))
    }

    @Test func goAddOursCheckAndDel() throws {
        guard requireNetNS(), Prerequisite.goPlugins.require() else { return }
        let h = try BridgeHarness(["isGateway": true, "ipMasq": true])
        let pod = try h.pod()
        let add = try h.run("ADD", pod, plugin: Self.goBridge)
        #expect(add.exitCode == 0, "\(add.stdout)")
        // The Go plugin's chain is the one our naming predicts: same hash, same comment.
        let chain = MasqueradeNaming.chain(network: "brtest", containerID: "c1")
        #expect(try h.nat().contains("-N \(chain)"))
        let check = try h.run("CHECK", pod, config: h.config(withPrevResult: add.object ?? [:]))
        #expect(check.exitCode == 0, "\(check.stdout)")
        #expect(try h.run("DEL", pod).exitCode == 0)
        #expect(try h.hostVeths().isEmpty && h.reservations().isEmpty && !h.nat().contains("CNI-"))
    }
}

enum MasqueradeNaming {
    static func chain(network: String, containerID: String) -> String {
        MasqueradeOwner.chainName(network: network, containerID: containerID)
    }
}
