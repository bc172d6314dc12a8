import CNI
import FlannelPlugin
import JSON
import Posix
import TestSupport
import Testing

/// ADD, DEL and CHECK through the skel with a recording fake delegate.
@Suite struct FlannelPluginTests {
    @Test func addStoresTheDelegateConfigBeforeRunningIt() throws {
        let sandbox = try Sandbox()
        let run = sandbox.run("ADD", sandbox.config())
        #expect(run.exitCode == 0, "\(run.stdout)")
        let call = try #require(sandbox.runner.calls.first)
        #expect(call.type == "bridge" && call.command == .add)
        let stored = try FileSystem.readFile(sandbox.dataDir + "/ctr1")
        #expect(stored == call.stdin, "the delegate gets exactly the stored bytes")
        expectGolden(.object(call.json), "delegate/kube-default.expected.json", reference: true)
        #expect(try permissions(sandbox.dataDir) == 0o700)
        #expect(try permissions(sandbox.dataDir + "/ctr1") == 0o600)
        #expect(sandbox.storedFiles() == ["ctr1"], "no temp file left behind")
        #expect(run.stderr.contains("flannel: delegate config: {"))
    }

    @Test(arguments: ["0.2.0", "0.3.1", "1.0.0"])
    func addPrintsTheDelegateResultInFlannelsVersion(version: String) throws {
        let sandbox = try Sandbox()
        let run = sandbox.run("ADD", sandbox.config(version))
        let json = try #require(run.json?.objectValue)
        #expect(json["cniVersion"] == .string(version))
        if version == "0.2.0" {
            #expect(json["ip4"]?.objectValue?["ip"] == "10.244.1.2/24")
        } else {
            #expect(json["ips"]?.arrayValue?.first?.objectValue?["address"] == "10.244.1.2/24")
            #expect(json["ips"]?.arrayValue?.first?.objectValue?["version"] == (version == "1.0.0" ? nil : "4"))
        }
    }

    @Test func addForwardsTheDelegateErrorUnchangedAndKeepsTheFileForDel() throws {
        let sandbox = try Sandbox()
        sandbox.runner.failures[.add] = CNIError(
            .internalError, "failed to set bridge addr: \"cni0\" already has an IP address different from 10.244.1.1/24"
        )
        let run = sandbox.run("ADD", sandbox.config())
        #expect(run.exitCode == 1)
        #expect(
            run.json == [
                "cniVersion": "0.3.1", "code": 999,
                "msg": "failed to set bridge addr: \"cni0\" already has an IP address different from 10.244.1.1/24"
            ])
        #expect(sandbox.storedFiles() == ["ctr1"], "the runtime's follow-up DEL replays it")
    }

    @Test func delReplaysTheStoredBytesAndRemovesTheFileAfterSuccess() throws {
        let sandbox = try Sandbox()
        _ = sandbox.run("ADD", sandbox.config())
        let stored = try FileSystem.readFile(sandbox.dataDir + "/ctr1")
        try sandbox.writeSubnetEnv(
            "FLANNEL_NETWORK=10.99.0.0/16\nFLANNEL_SUBNET=10.99.1.1/24\nFLANNEL_MTU=1400\nFLANNEL_IPMASQ=false\n")
        let run = sandbox.run("DEL", sandbox.config())
        #expect(run.exitCode == 0, "\(run.stdout)")
        let del = try #require(sandbox.runner.calls.last)
        #expect(del.command == .del && del.type == "bridge")
        #expect(del.stdin == stored, "DEL replays what ADD stored, not today's subnet.env")
        #expect(sandbox.storedFiles().isEmpty)
    }

    @Test func delKeepsTheFileWhenTheDelegateFailsSoARetryCanSucceed() throws {
        let sandbox = try Sandbox()
        _ = sandbox.run("ADD", sandbox.config())
        sandbox.runner.failures[.del] = CNIError(.tryAgainLater, "failed to lock", details: "timeout")
        let failed = sandbox.run("DEL", sandbox.config())
        #expect(failed.exitCode == 1)
        #expect(failed.json == ["cniVersion": "0.3.1", "code": 11, "msg": "failed to lock", "details": "timeout"])
        #expect(sandbox.storedFiles() == ["ctr1"])

        sandbox.runner.failures[.del] = nil
        let retried = sandbox.run("DEL", sandbox.config())
        #expect(retried.exitCode == 0)
        #expect(sandbox.storedFiles().isEmpty)
        let dels = sandbox.runner.calls.filter { $0.command == .del }
        #expect(dels.count == 2 && dels[0].stdin == dels[1].stdin)
    }

    @Test(arguments: ["", "{", "[1]", #"{"name":"cbr0"}"#, #"{"type":7}"#])
    func delRebuildsACorruptFileFromSubnetEnv(content: String) throws {
        let sandbox = try Sandbox()
        try FileSystem.makeDirectories(sandbox.dataDir, mode: 0o700)
        try FileSystem.writeFileAtomically(sandbox.dataDir + "/ctr1", Array(content.utf8))
        let run = sandbox.run("DEL", sandbox.config())
        #expect(run.exitCode == 0, "\(run.stdout)")
        let del = try #require(sandbox.runner.calls.first)
        #expect(del.command == .del)
        expectGolden(.object(del.json), "delegate/kube-default.expected.json", reference: true)
        #expect(sandbox.storedFiles().isEmpty)
        #expect(run.stderr.contains("corrupt"))
    }

    @Test func delRebuildsAMissingFileSoIPAMIsReleased() throws {
        let sandbox = try Sandbox()
        let run = sandbox.run("DEL", sandbox.config(extra: #","runtimeConfig":{"portMappings":[]}"#))
        #expect(run.exitCode == 0)
        let del = try #require(sandbox.runner.calls.first)
        #expect(del.json["ipam"]?.objectValue?["ranges"] == [[["subnet": "10.244.1.0/24"]]])
        #expect(del.json["runtimeConfig"] == ["portMappings": []])
        #expect(run.stderr.contains("no stored delegate config"))
    }

    @Test func delSucceedsWithNeitherFileNorSubnetEnv() throws {
        let sandbox = try Sandbox(subnetEnv: nil)
        let run = sandbox.run("DEL", sandbox.config())
        #expect(run.exitCode == 0, "\(run.stdout)")
        #expect(run.stdout.isEmpty)
        #expect(sandbox.runner.calls.isEmpty)
        #expect(run.stderr.contains("failed to load flannel 'subnet.env' file"))
    }

    @Test func delWithCorruptFileAndNoSubnetEnvRemovesTheFileAndSucceeds() throws {
        let sandbox = try Sandbox(subnetEnv: nil)
        try FileSystem.makeDirectories(sandbox.dataDir, mode: 0o700)
        try FileSystem.writeFileAtomically(sandbox.dataDir + "/ctr1", [])
        #expect(sandbox.run("DEL", sandbox.config()).exitCode == 0)
        #expect(sandbox.storedFiles().isEmpty)
    }

    /// An invalid delegate section cannot have produced an ADD: DEL has nothing to release.
    @Test func delWithAnUnbuildableConfigSucceeds() throws {
        let sandbox = try Sandbox()
        let run = sandbox.run("DEL", sandbox.config(extra: #","ipam":{"routes":"x"}"#))
        #expect(run.exitCode == 0)
        #expect(sandbox.runner.calls.isEmpty)
    }

    /// An ADD killed between writing its temporary file and renaming it leaves `.<id>.tmp.XXXXXX`; that
    /// container's DEL removes it (and only its own).
    @Test func delRemovesTemporaryFilesLeftByAKilledAdd() throws {
        let sandbox = try Sandbox()
        _ = sandbox.run("ADD", sandbox.config())
        try FileSystem.makeDirectories(sandbox.dataDir)
        for name in [".ctr1.tmp.AbCdEf", ".ctr1.tmp.Zz0123", ".ctr10.tmp.AbCdEf", "ctr1.tmp.AbCdEf"] {
            try FileSystem.writeFileAtomically(sandbox.dataDir + "/" + name, [0x7B])
        }
        let del = sandbox.run("DEL", sandbox.config())
        #expect(del.exitCode == 0)
        #expect(sandbox.storedFiles() == [".ctr10.tmp.AbCdEf", "ctr1.tmp.AbCdEf"])
        #expect(del.stderr.contains("left by an interrupted ADD"))
    }

    @Test func delIsIdempotent() throws {
        let sandbox = try Sandbox()
        _ = sandbox.run("ADD", sandbox.config())
        for _ in 0..<3 { #expect(sandbox.run("DEL", sandbox.config()).exitCode == 0) }
        #expect(sandbox.storedFiles().isEmpty)
        #expect(sandbox.runner.calls.map(\.command) == [.add, .del, .del, .del])
    }

    @Test func delReadsAFileWrittenByTheGoPlugin() throws {
        let sandbox = try Sandbox(subnetEnv: nil)
        // json.Marshal of a Go map: sorted keys, compact.
        let goFile =
            #"{"cniVersion":"0.3.1","hairpinMode":true,"ipMasq":false,"ipam":{"ranges":[[{"subnet":"10.244.1.0/24"}]],"routes":[{"dst":"10.244.0.0/16"}],"type":"host-local"},"isDefaultGateway":true,"isGateway":true,"mtu":1450,"name":"cbr0","type":"bridge"}"#
        try FileSystem.makeDirectories(sandbox.dataDir, mode: 0o700)
        try FileSystem.writeFileAtomically(sandbox.dataDir + "/ctr1", Array(goFile.utf8))
        #expect(sandbox.run("DEL", sandbox.config()).exitCode == 0)
        #expect(sandbox.runner.calls.first?.stdin == Array(goFile.utf8))
        #expect(sandbox.storedFiles().isEmpty)
    }

    @Test func checkSendsTheStoredConfigWithFlannelsPrevResultAndVersion() throws {
        let sandbox = try Sandbox()
        _ = sandbox.run("ADD", sandbox.config("0.3.1"))
        let prevResult =
            #","prevResult":{"cniVersion":"1.0.0","ips":[{"address":"10.244.1.2/24","gateway":"10.244.1.1","interface":2}]}"#
        let run = sandbox.run("CHECK", sandbox.config("1.0.0", extra: prevResult))
        #expect(run.exitCode == 0, "\(run.stdout)")
        let check = try #require(sandbox.runner.calls.last)
        #expect(check.command == .check && check.type == "bridge")
        #expect(check.json["cniVersion"] == "1.0.0")
        #expect(check.json["prevResult"]?.objectValue?["ips"]?.arrayValue?.count == 1)
        #expect(check.json["ipam"]?.objectValue?["ranges"] == [[["subnet": "10.244.1.0/24"]]])
        #expect(sandbox.storedFiles() == ["ctr1"], "CHECK never changes state")
    }

    /// A delegate that is not ours (Debian's Go bridge says "CNI bridge plugin version unknown", and fails CHECK on
    /// flannel's routes), or one that cannot say what it is, gets no CHECK, as under the reference flannel; flannel
    /// still verifies its own stored config.
    @Test(arguments: ["CNI bridge plugin version unknown", nil] as [String?])
    func checkRunsNoCheckOnAForeignDelegate(about: String?) throws {
        let sandbox = try Sandbox()
        sandbox.runner.aboutText = about
        _ = sandbox.run("ADD", sandbox.config("1.0.0"))
        sandbox.runner.failures[.check] = CNIError(.internalError, "Expected Route not found in routing table")
        let run = sandbox.run("CHECK", sandbox.config("1.0.0"))
        #expect(run.exitCode == 0, "\(run.stdout)")
        #expect(sandbox.runner.calls.map(\.command) == [.add], "no delegate CHECK")
        #expect(run.stderr.contains("CHECK verified the stored delegate config only"))
        #expect(sandbox.run("CHECK", sandbox.config("1.0.0"), containerID: "never-added").exitCode == 1)
    }

    @Test func checkForwardsTheDelegateError() throws {
        let sandbox = try Sandbox()
        _ = sandbox.run("ADD", sandbox.config("1.0.0"))
        sandbox.runner.failures[.check] = CNIError(.internalError, "Required prevResult missing")
        let run = sandbox.run("CHECK", sandbox.config("1.0.0"))
        #expect(run.json == ["cniVersion": "1.0.0", "code": 999, "msg": "Required prevResult missing"])
    }

    @Test(arguments: [("5-check-no-stored-config", nil), ("6-check-corrupt-stored-config", "{")] as [(String, String?)])
    func checkWithoutAUsableStoredConfigFails(name: String, content: String?) throws {
        let sandbox = try Sandbox()
        if let content {
            try FileSystem.makeDirectories(sandbox.dataDir, mode: 0o700)
            try FileSystem.writeFileAtomically(sandbox.dataDir + "/ctr1", Array(content.utf8))
        }
        let run = sandbox.run("CHECK", sandbox.config("1.0.0"))
        #expect(run.exitCode == 1)
        #expect(sandbox.runner.calls.isEmpty)
        let json = try #require(try? JSONValue.parse(run.stdout.replacing(sandbox.directory.path, with: "$TMP")))
        expectGolden(json, "errors/\(name).json")
    }

    @Test func addFailsWithIOErrorWhenDataDirCannotBeCreated() throws {
        let sandbox = try Sandbox()
        try FileSystem.writeFileAtomically(sandbox.directory.path + "/file", [])
        let config = sandbox.config().replacing(sandbox.dataDir, with: sandbox.directory.path + "/file/flannel")
        let run = sandbox.run("ADD", config)
        #expect(sandbox.runner.calls.isEmpty)
        let json = try #require(try? JSONValue.parse(run.stdout.replacing(sandbox.directory.path, with: "$TMP")))
        expectGolden(json, "errors/5-store-failed.json")
    }

    @Test func unreadableSubnetEnvIsAnIOFailure() throws {
        let sandbox = try Sandbox(subnetEnv: nil)
        try FileSystem.makeDirectories(sandbox.subnetFile)  // a directory: read fails with EISDIR
        let run = sandbox.run("ADD", sandbox.config())
        let json = try #require(try? JSONValue.parse(run.stdout.replacing(sandbox.directory.path, with: "$TMP")))
        expectGolden(json, "errors/5-subnet-env-unreadable.json")
    }
}

func permissions(_ path: String) throws -> UInt32 {
    let text = try output(["stat", "-c", "%a", path])
    return UInt32(text.split(separator: "\n").first ?? "", radix: 8) ?? 0
}
