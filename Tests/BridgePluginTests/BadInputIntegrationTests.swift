import JSON
import TestSupport
import Testing

/// Bad input gets a specific CNI code and leaves nothing behind.
@Suite(.serialized, .enabled(if: TestEnvironment.integrationEnabled))
struct BadInputIntegrationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var config: JSONObject = [:]
        var code: Int64
        var message: String
        var netns: String? = nil
        var containerID = "c1"
        var command = "ADD"
        /// Spaces sent before the config (a valid config after megabytes of whitespace).
        var padding = 0
        var prepare: @Sendable (BridgeHarness, TestNamespace) throws -> Void = { _, _ in }
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "mtu of the wrong type", config: ["mtu": "1500"], code: 7, message: #""mtu" must be an integer"#),
        Case(
            name: "bridge names a non-bridge link", config: ["bridge": "notbr"], code: 7,
            message: #""notbr" already exists but is not a bridge"#,
            prepare: { h, _ in try h.host.ip("link", "add", "notbr", "type", "veth", "peer", "name", "notbr-peer") }),
        Case(
            name: "hairpin and promisc", config: ["hairpinMode": true, "promiscMode": true], code: 7,
            message: "cannot set hairpin mode and promiscuous mode at the same time"),
        Case(name: "missing netns", code: 8, message: "does not exist", netns: "/run/netns/brtest-missing-netns"),
        Case(name: "netns is not a namespace", code: 8, message: "is not a network namespace", netns: "/etc/hostname"),
        Case(
            name: "ifname already present", code: 4, message: #"interface "eth0" already exists in network namespace"#,
            prepare: { _, pod in try pod.ip("link", "add", "eth0", "type", "veth", "peer", "name", "eth0-peer") }),
        Case(name: "vlan out of range", config: ["vlan": 5000], code: 7, message: "invalid VLAN ID 5000"),
        Case(
            name: "disableContainerInterface with IPAM", config: ["disableContainerInterface": true], code: 7,
            message: "cannot use IPAM when disableContainerInterface flag is set"),
        Case(name: "bad container ID", code: 4, message: "invalid characters in containerID", containerID: "bad/id"),
        Case(
            name: "missing IPAM plugin", config: ["ipam": ["type": "no-such-ipam"]], code: 7,
            message: #"failed to find plugin "no-such-ipam""#),
        Case(
            name: "10 MB of whitespace before the config", code: 7, message: "stdin exceeds 1048576 bytes",
            padding: 10 << 20),
        Case(
            name: "5000-byte container ID", code: 4, message: "containerID is longer than 200 bytes",
            containerID: String(repeating: "a", count: 5000)),
        Case(
            name: "5000-byte container ID on CHECK", code: 4, message: "containerID is longer than 200 bytes",
            containerID: String(repeating: "a", count: 5000), command: "CHECK")
    ]

    @Test(arguments: cases) func rejected(_ c: Case) throws {
        guard requireNetNS() else { return }
        let h = try BridgeHarness(c.config)
        let pod = try h.pod()
        try c.prepare(h, pod)
        let out = try h.run(c.command, pod, id: c.containerID, netns: c.netns, padding: c.padding)
        #expect(out.exitCode == 1)
        #expect(out.code == c.code, "\(out.stdout)")
        #expect(out.message.contains(c.message), "\(out.message)")
        #expect(try h.hostVeths().allSatisfy { $0.hasPrefix("notbr") } && h.reservations().isEmpty)
        #expect(try !pod.ip("-o", "link").contains("veth"))
    }

    /// DEL of a container ID longer than any ADD accepts: success, and the attachment of another is untouched.
    @Test func delOfAnOverlongContainerIDDoesNothing() throws {
        guard requireNetNS() else { return }
        let h = try BridgeHarness()
        let pod = try h.pod()
        _ = try h.add(pod)
        let del = try h.run("DEL", pod, id: String(repeating: "a", count: 5000))
        #expect(del.exitCode == 0 && del.stdout.isEmpty, "\(del)")
        #expect(try h.hostVeths().count == 1 && h.reservations().count == 1)
        #expect(try h.run("DEL", pod).exitCode == 0)
    }
}
