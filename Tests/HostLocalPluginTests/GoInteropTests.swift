import JSON
import Posix
import TestSupport
import Testing

/// Our binary and Go's host-local on one data dir, as on a node during a rollout.
@Suite(.enabled(if: Prerequisite.goPlugins.enabled)) struct GoInteropTests {
    @Test func goAddThenOurCheckAndDel() throws {
        guard Prerequisite.goPlugins.require() else { return }
        let network = try Network(version: "0.4.0")
        #expect(try network.add("gocontainer", implementation: .go) == ["10.10.0.2/24"])
        #expect(try network.run("CHECK", "gocontainer").exitCode == 0)
        #expect(try network.run("ADD", "gocontainer").code == 102)  // Go's record counts for duplicates
        #expect(try network.add("ours") == ["10.10.0.3/24"])  // round-robin continues from Go's last_reserved_ip
        #expect(try network.run("DEL", "gocontainer").exitCode == 0)
        #expect(try network.reservations() == ["10.10.0.3": "ours\r\neth0"])
    }

    @Test func ourAddThenGoCheckAndDel() throws {
        guard Prerequisite.goPlugins.require() else { return }
        let network = try Network(version: "0.4.0")
        #expect(try network.add("ours") == ["10.10.0.2/24"])
        #expect(try network.run("CHECK", "ours", implementation: .go).exitCode == 0)
        #expect(try network.add("gocontainer", implementation: .go) == ["10.10.0.3/24"])
        let del = try network.run("DEL", "ours", implementation: .go)
        #expect(del.exitCode == 0, "\(del.stdout)")
        #expect(try network.reservations() == ["10.10.0.3": "gocontainer\r\neth0"])
        // Go's CHECK must not be fooled by our reboot marker.
        #expect(try network.run("CHECK", "boot_id", implementation: .go).exitCode != 0)
    }

    @Test func legacyRecordsFromOldPlugins() throws {
        guard Prerequisite.goPlugins.require() else { return }
        let network = try Network(version: "0.4.0")
        try network.add("seed")
        try FileSystem.writeFileAtomically(network.directory + "/10.10.0.9", Array("oldcontainer".utf8))
        #expect(try network.run("CHECK", "oldcontainer").exitCode == 0)
        #expect(try network.run("ADD", "oldcontainer").code == 102)
        #expect(try network.run("DEL", "oldcontainer").exitCode == 0)
        #expect(try network.reservations().keys.sorted() == ["10.10.0.2"])
    }

    @Test(arguments: [false, true]) func parallelAddsGetDistinctAddresses(mixed: Bool) throws {
        guard Prerequisite.goPlugins.require() else { return }
        let network = try Network()
        let script = try writeBurst(network, count: 64, mixed: mixed)
        let burst = try Spawn.run(
            path: "/bin/sh", arguments: ["sh", script], environment: ["PATH=/usr/bin:/bin"], stdin: [])
        #expect(burst.exitCode == 0, "\(String(decoding: burst.stdout + burst.stderr, as: UTF8.self))")
        var seen: [String] = []
        for i in 0..<64 {
            let out = try FileSystem.readText(network.dataDir + "/out.\(i)")
            let parsed = PluginOutput(SpawnResult(exitCode: 0, stdout: Array(out.utf8), stderr: []))
            #expect(addresses(parsed).count == 1, "container \(i): \(out)")
            seen += addresses(parsed)
        }
        #expect(Set(seen).count == 64)
        #expect(try network.reservations().count == 64)
    }

    /// A shell script that starts `count` ADDs at once (`&`) and waits for all of them.
    func writeBurst(_ network: Network, count: Int, mixed: Bool) throws -> String {
        let config = network.dataDir + "/config.json"
        try FileSystem.writeFileAtomically(config, network.config())
        var lines = ["export CNI_COMMAND=ADD CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_NETNS=/var/run/netns/x"]
        for i in 0..<count {
            let binary = (mixed && i % 2 == 1 ? Implementation.go : .swift).path("host-local")
            lines.append("CNI_CONTAINERID=burst\(i) \(binary) < \(config) > \(network.dataDir)/out.\(i) &")
        }
        lines.append("wait")
        let script = network.dataDir + "/burst.sh"
        try FileSystem.writeFileAtomically(script, Array(lines.joined(separator: "\n").utf8))
        return script
    }
}
