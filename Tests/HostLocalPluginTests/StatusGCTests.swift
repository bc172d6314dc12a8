import JSON
import Posix
import TestSupport
import Testing

@Suite struct GCTests {
    @Test func releasesAttachmentsNotInTheValidList() throws {
        let network = try Network(version: "1.1.0")
        try network.add("keep")
        try network.add("keep", ifName: "net1")
        try network.add("gone")
        try FileSystem.writeFileAtomically(network.directory + "/10.10.0.50", Array("legacykeep".utf8))
        try FileSystem.writeFileAtomically(network.directory + "/10.10.0.51", Array("legacygone".utf8))
        let valid: JSONValue = [
            ["containerID": "keep", "ifname": "eth0"], ["containerID": "legacykeep", "ifname": "eth0"]
        ]
        let out = try network.run("GC", "", ifName: "", stdin: network.config(["cni.dev/valid-attachments": valid]))
        #expect(out.exitCode == 0 && out.stdout.isEmpty, "\(out.stdout)")
        #expect(try network.reservations() == ["10.10.0.2": "keep\r\neth0", "10.10.0.50": "legacykeep"])
        let names = Set(try FileSystem.listDirectory(network.directory))
        #expect(names.isSuperset(of: ["lock", "last_reserved_ip.0", "boot_id"]))
    }

    @Test func olderAttachmentsKeyIsUnderstood() throws {
        let network = try Network(version: "1.1.0")
        try network.add("a")
        try network.add("b")
        let valid: JSONValue = [["containerID": "a", "ifname": "eth0"]]
        #expect(
            try network.run("GC", "", ifName: "", stdin: network.config(["cni.dev/attachments": valid])).exitCode == 0)
        #expect(try network.reservations().values.sorted() == ["a\r\neth0"])
    }

    @Test func nullOrEmptyListReleasesEverythingButAnAbsentListReleasesNothing() throws {
        let network = try Network(version: "1.1.0")
        try network.add("a")
        #expect(try network.run("GC", "", ifName: "", stdin: network.config([:])).exitCode == 0)
        #expect(try network.reservations().count == 1, "no list given: nothing to decide on")
        #expect(
            try network.run("GC", "", ifName: "", stdin: network.config(["cni.dev/valid-attachments": nil])).exitCode
                == 0)
        #expect(try network.reservations().isEmpty, "null is Go's empty slice: nothing is valid")
        try network.add("b")
        #expect(
            try network.run("GC", "", ifName: "", stdin: network.config(["cni.dev/valid-attachments": []])).exitCode
                == 0)
        #expect(try network.reservations().isEmpty)
    }

    @Test func gcNeedsVersion110() throws {
        let network = try Network(version: "1.0.0")
        let out = try network.run("GC", "", ifName: "")
        #expect(out.code == 1)
        expectGolden(try #require(out.json), "error-1-version-does-not-allow.expected.json")
    }
}

@Suite struct StatusTests {
    @Test func readyNetworkPasses() throws {
        let network = try Network(version: "1.1.0")
        let out = try network.run("STATUS", "", ifName: "")
        #expect(out.exitCode == 0 && out.stdout.isEmpty, "\(out.stdout)")
        #expect(!FileSystem.exists(network.directory + "/status_probe"))
    }

    @Test func exhaustedRangeSetFails() throws {
        let network = try Network(version: "1.1.0", ranges: [[["subnet": "10.10.0.0/30"]], [["subnet": "fd00::/64"]]])
        try network.add("only")
        let out = try network.run("STATUS", "", ifName: "")
        #expect(out.code == 50)
        expectGolden(try #require(out.json), "error-50-exhausted.expected.json")
    }

    @Test func unusableDataDirFails() throws {
        let network = try Network(version: "1.1.0")
        try FileSystem.writeFileAtomically(network.dataDir + "/file", [])
        network.ipam["dataDir"] = .string(network.dataDir + "/file/sub")
        let out = try network.run("STATUS", "", ifName: "")
        #expect(out.code == 50)
        let json = try JSONValue.parse(network.normalized(out.stdout))
        expectGolden(json, "error-50-unusable.expected.json")
    }
}
