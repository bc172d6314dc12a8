import CNI
import Firewall
import JSON
import TestSupport
import Testing

@testable import BridgePlugin

/// DEL, GC and STATUS without root: no netns involved, firewall and IPAM recorded.
@Suite struct PluginCommandTests {
    func call(_ command: Command, _ extra: JSONObject, netns: String = "") throws -> Invocation {
        Invocation(
            command: command, containerID: "gocid", netns: netns, ifName: "eth0", config: try makeNetworkConfig(extra),
            output: OutputSink(stdout: { _ in }, stderr: { _ in }))
    }

    @Test func delWithoutNetnsReleasesIPAMAndRemovesMasquerade() throws {
        let (delegates, firewall) = (makeDelegates(), RecordingFirewall())
        firewall.listings[.iptables] = try readFixture("iptables-listing.txt", of: "FirewallTests")
        firewall.listings[.ip6tables] = ""
        let plugin = BridgePlugin(delegates: delegates, firewall: firewall)
        try plugin.del(try call(.del, ["ipMasq": true, "ipam": ["type": "host-local"]]).renamed("iop"))
        #expect(delegates.commands == [.del])
        #expect(firewall.applied.map(\.tool) == [.iptablesRestore])
        #expect(firewall.applied.first?.stdin == (try readFixture("iptables-teardown.txt", of: "FirewallTests")))
    }

    @Test func delStillTearsDownWhenIPAMFails() throws {
        let (delegates, firewall) = (makeDelegates(), RecordingFirewall())
        delegates.failures[.del] = CNIError(.tryAgainLater, "ipam busy")
        firewall.listings[.iptables] = try readFixture("iptables-listing.txt", of: "FirewallTests")
        let plugin = BridgePlugin(delegates: delegates, firewall: firewall)
        #expect(throws: CNIError(.tryAgainLater, "ipam busy")) {
            try plugin.del(try call(.del, ["ipMasq": true, "ipam": ["type": "host-local"]]).renamed("iop"))
        }
        #expect(firewall.applied.count == 1)
    }

    @Test func delWithMissingNetnsPathSucceeds() throws {
        let plugin = BridgePlugin(delegates: makeDelegates(), firewall: RecordingFirewall())
        try plugin.del(try call(.del, [:], netns: "/run/netns/does-not-exist-\(UInt32.random(in: 0...UInt32.max))"))
    }

    @Test func statusDelegatesToIPAM() throws {
        let delegates = makeDelegates()
        let plugin = BridgePlugin(delegates: delegates, firewall: RecordingFirewall())
        try plugin.status(try call(.status, ["ipam": ["type": "host-local"]]))
        try plugin.status(try call(.status, [:]))
        #expect(delegates.commands == [.status])
    }

    @Test func gcRemovesStaleRulesAndForwards() throws {
        let (delegates, firewall) = (makeDelegates(), RecordingFirewall())
        firewall.listings[.iptables] = try readFixture("iptables-listing.txt", of: "FirewallTests")
        firewall.listings[.ip6tables] = ""
        firewall.listings[.nft] = try readFixture("nft-listing.json", of: "FirewallTests")
        let plugin = BridgePlugin(delegates: delegates, firewall: firewall)
        let valid: JSONValue = [["containerID": "swcid", "ifname": "eth0"]]
        try plugin.gc(
            try call(.gc, ["ipam": ["type": "host-local"], "cni.dev/valid-attachments": valid]).renamed("iop"))
        #expect(delegates.commands == [.gc])
        #expect(firewall.applied.map(\.tool) == [.iptablesRestore, .nft])
        #expect(firewall.applied[0].stdin.contains("-X CNI-efc489ea5632c0d5902152b1"))
        #expect(firewall.applied[1].stdin == "delete rule inet cni_plugins_masquerade masq_checks handle 9\n")
    }

    @Test func gcWithoutListKeepsRules() throws {
        let firewall = RecordingFirewall()
        try BridgePlugin(delegates: makeDelegates(), firewall: firewall).gc(try call(.gc, [:]))
        #expect(firewall.calls.isEmpty)
    }

    @Test func undoRunsNewestFirstAndCommitClears() {
        var log: [String] = []
        var undo = UndoStack(log: { log.append($0) })
        var order: [Int] = []
        undo.push("one") { order.append(1) }
        undo.push("two") {
            struct Boom: Error {}
            order.append(2)
            throw Boom()
        }
        undo.push("three") { order.append(3) }
        undo.unwind()
        #expect(order == [3, 2, 1] && log.count == 1 && log[0].hasPrefix("rollback: two failed"))
        undo.push("four") { order.append(4) }
        undo.commit()
        undo.unwind()
        #expect(order == [3, 2, 1])
    }
}

extension Invocation {
    /// The same call for a network of another name (names feed the firewall hashes).
    func renamed(_ name: String) throws -> Invocation {
        var copy = self
        var raw = config.raw
        raw["name"] = .string(name)
        copy.config = try NetworkConfig(parsing: JSONValue.object(raw).bytes())
        return copy
    }
}
