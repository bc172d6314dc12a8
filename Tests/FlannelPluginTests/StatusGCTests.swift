import CNI
import FlannelPlugin
import JSON
import Posix
import TestSupport
import Testing

@Suite struct StatusGCTests {
    @Test func statusAsksTheDelegateWithAConfigBuiltFromSubnetEnv() throws {
        let sandbox = try Sandbox()
        let run = sandbox.run("STATUS", sandbox.config("1.1.0"))
        #expect(run.exitCode == 0, "\(run.stdout)")
        let call = try #require(sandbox.runner.calls.first)
        #expect(call.command == .status && call.type == "bridge")
        #expect(call.json["cniVersion"] == "1.1.0" && call.json["mtu"] == 1450)
        #expect(!FileSystem.exists(sandbox.dataDir), "STATUS stores nothing")
    }

    @Test func statusForwardsTheDelegateError() throws {
        let sandbox = try Sandbox()
        sandbox.runner.failures[.status] = CNIError(.pluginNotAvailableLimitedConnectivity, "ipam degraded")
        let run = sandbox.run("STATUS", sandbox.config("1.1.0"))
        #expect(run.json == ["cniVersion": "1.1.0", "code": 51, "msg": "ipam degraded"])
    }

    @Test func gcForwardsTheAttachmentsAndRemovesStaleFiles() throws {
        let sandbox = try Sandbox()
        for id in ["keep", "stale1", "stale2"] { _ = sandbox.run("ADD", sandbox.config("1.1.0"), containerID: id) }
        let attachments =
            #","cni.dev/valid-attachments":[{"containerID":"keep","ifname":"eth0"}],"cni.dev/attachments":[{"containerID":"keep","ifname":"eth0"}]"#
        let run = sandbox.run("GC", sandbox.config("1.1.0", extra: attachments))
        #expect(run.exitCode == 0, "\(run.stdout)")
        #expect(run.stdout.isEmpty)
        let gc = try #require(sandbox.runner.calls.last)
        #expect(gc.command == .gc && gc.type == "bridge")
        #expect(gc.json["cni.dev/valid-attachments"] == [["containerID": "keep", "ifname": "eth0"]])
        #expect(gc.json["cni.dev/attachments"] == [["containerID": "keep", "ifname": "eth0"]])
        #expect(gc.json["ipam"]?.objectValue?["type"] == "host-local")
        #expect(sandbox.storedFiles() == ["keep"])
    }

    @Test func gcKeepsFilesWhenTheDelegateFails() throws {
        let sandbox = try Sandbox()
        _ = sandbox.run("ADD", sandbox.config("1.1.0"), containerID: "stale")
        sandbox.runner.failures[.gc] = CNIError(.ioFailure, "host-local: cannot list")
        let run = sandbox.run("GC", sandbox.config("1.1.0", extra: #","cni.dev/valid-attachments":[]"#))
        #expect(run.json == ["cniVersion": "1.1.0", "code": 5, "msg": "host-local: cannot list"])
        #expect(sandbox.storedFiles() == ["stale"], "a later DEL can still replay it")
    }

    @Test func gcWithoutAnAttachmentListRemovesNothing() throws {
        let sandbox = try Sandbox()
        _ = sandbox.run("ADD", sandbox.config("1.1.0"), containerID: "c1")
        let run = sandbox.run("GC", sandbox.config("1.1.0"))
        #expect(run.exitCode == 0)
        #expect(sandbox.storedFiles() == ["c1"])
    }

    @Test func gcWithAnEmptyListRemovesEverythingIncludingCrashLeftovers() throws {
        let sandbox = try Sandbox()
        _ = sandbox.run("ADD", sandbox.config("1.1.0"), containerID: "c1")
        try FileSystem.writeFileAtomically(sandbox.dataDir + "/.c2.tmp.AbCdEf", [0x7B])
        #expect(sandbox.run("GC", sandbox.config("1.1.0", extra: #","cni.dev/valid-attachments":[]"#)).exitCode == 0)
        #expect(sandbox.storedFiles().isEmpty)
    }

    /// A temporary file counts as its container's: kept while the container is valid (its ADD may be under way),
    /// removed with the container's file otherwise.
    @Test func gcJudgesTemporaryFilesByTheirContainer() throws {
        let sandbox = try Sandbox()
        for id in ["c1", "c2"] { _ = sandbox.run("ADD", sandbox.config("1.1.0"), containerID: id) }
        for name in [".c1.tmp.AbCdEf", ".c2.tmp.GhIjKl"] {
            try FileSystem.writeFileAtomically(sandbox.dataDir + "/" + name, [0x7B])
        }
        let valid = #","cni.dev/valid-attachments":[{"containerID":"c1","ifname":"eth0"}]"#
        #expect(sandbox.run("GC", sandbox.config("1.1.0", extra: valid)).exitCode == 0)
        #expect(sandbox.storedFiles() == [".c1.tmp.AbCdEf", "c1"])
    }

    @Test func gcWithNoDataDirYetSucceeds() throws {
        let sandbox = try Sandbox()
        #expect(sandbox.run("GC", sandbox.config("1.1.0", extra: #","cni.dev/valid-attachments":[]"#)).exitCode == 0)
    }
}
