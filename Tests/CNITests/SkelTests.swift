import CNI
import JSON
import TestSupport
import Testing

@Suite struct SkelTests {
    @Test func versionIsAnsweredBeforeAnyValidation() throws {
        let plugin = RecordingPlugin()
        // Runtimes probe VERSION with dummy values and a minimal config.
        let run = runSkel(
            plugin, env: ["CNI_COMMAND": "VERSION", "CNI_NETNS": "dummy", "CNI_PATH": "dummy"], stdin: "garbage")
        #expect(run.exitCode == 0)
        #expect(
            run.stdout
                == #"{"cniVersion":"1.1.0","supportedVersions":["0.1.0","0.2.0","0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}"#
                + "\n")
        #expect(plugin.calls.isEmpty)
    }

    @Test func noCommandPrintsAboutOnStderr() {
        let run = runSkel(RecordingPlugin(), env: [:], stdin: "")
        #expect(run.exitCode == 0)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("swift-cni-plugins"))
        #expect(run.stderr.contains("CNI protocol versions supported: 0.1.0, 0.2.0, 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0"))
    }

    @Test func addHandsTheParsedCallToThePlugin() throws {
        let plugin = RecordingPlugin()
        let run = runSkel(
            plugin,
            env: addEnv(
                "ADD",
                [
                    "CNI_ARGS": "IgnoreUnknown=1;K8S_POD_NAME=web;IP=10.244.1.9",
                    "CNI_PATH": "/a:/b"
                ]),
            stdin: config("1.0.0", extra: #","ipam":{"type":"host-local"},"runtimeConfig":{"mac":"x"},"custom":[1]"#))
        #expect(run.exitCode == 0, "\(run.stdout)")
        let call = try #require(plugin.calls.first)
        #expect(call.command == .add && call.containerID == "ctr1" && call.ifName == "eth0")
        #expect(call.path == ["/a", "/b"])
        #expect(call.args["IP"] == "10.244.1.9")
        #expect(call.config.name == "testnet" && call.config.cniVersion == .v1_0_0)
        #expect(call.config.ipam?["type"] == "host-local")
        #expect(call.config.runtimeConfig["mac"] == "x")
        #expect(call.config.raw.keys == ["cniVersion", "name", "type", "ipam", "runtimeConfig", "custom"])
    }

    @Test(arguments: CNIVersion.allCases)
    func addPrintsTheResultInTheConfigVersion(version: CNIVersion) throws {
        let run = runSkel(RecordingPlugin(), env: addEnv(), stdin: config(version.rawValue))
        #expect(run.exitCode == 0)
        expectGolden(try #require(run.json), "result-\(version.rawValue).json")
    }

    @Test func missingVersionMeansZeroOneZero() throws {
        let run = runSkel(RecordingPlugin(), env: addEnv(), stdin: config(nil))
        #expect(run.json?.objectValue?["cniVersion"] == "0.1.0")
        #expect(run.json?.objectValue?["ip4"] != nil)
    }

    @Test(arguments: [
        (CNIVersion.v0_3_1, "CHECK", false), (.v0_4_0, "CHECK", true), (.v1_0_0, "GC", false), (.v1_1_0, "GC", true),
        (.v1_0_0, "STATUS", false), (.v1_1_0, "STATUS", true)
    ])
    func commandsNeedMinimumVersions(version: CNIVersion, command: String, allowed: Bool) {
        let plugin = RecordingPlugin()
        let run = runSkel(plugin, env: addEnv(command), stdin: config(version.rawValue))
        #expect((run.exitCode == 0) == allowed)
        if !allowed {
            #expect(run.json?.objectValue?["code"] == 1)
            #expect(run.json?.objectValue?["msg"] == .string("config version does not allow \(command)"))
        }
    }

    /// stdin of exactly the limit is read and parsed; one byte more is refused (code 7) before the plugin is
    /// prepared or called, for every command but VERSION.
    @Test(arguments: ["ADD", "DEL", "CHECK", "GC", "STATUS"])
    func stdinOverTheLimitIsRefusedBeforeAnything(command: String) {
        let document = config("1.1.0")
        let fits = String(repeating: " ", count: Skel.stdinLimit - document.utf8.count) + document
        #expect(runSkel(RecordingPlugin(), env: addEnv(command), stdin: fits).exitCode == 0)
        let plugin = RecordingPlugin()
        let run = runSkel(plugin, env: addEnv(command), stdin: " " + fits)
        #expect(run.exitCode == 1 && plugin.calls.isEmpty)
        #expect(
            run.json == [
                "cniVersion": "1.1.0", "code": 7, "msg": "stdin exceeds 1048576 bytes",
                "details": "the network configuration on stdin is limited to 1 MiB"
            ])
    }

    /// Container IDs up to 200 bytes are accepted; a longer one is refused on ADD and CHECK (code 4), and its DEL
    /// succeeds without calling the plugin (no ADD can have made anything for it).
    @Test(arguments: ["ADD", "CHECK", "DEL"])
    func containerIDsLongerThanTheLimit(command: String) {
        let longest = String(repeating: "a", count: Identifiers.containerIDLimit)
        let fits = runSkel(
            RecordingPlugin(), env: addEnv(command, ["CNI_CONTAINERID": longest]), stdin: config("1.0.0"))
        #expect(fits.exitCode == 0, "\(fits.stdout)")
        let plugin = RecordingPlugin()
        let run = runSkel(plugin, env: addEnv(command, ["CNI_CONTAINERID": longest + "a"]), stdin: config("1.0.0"))
        #expect(plugin.calls.isEmpty)
        if command == "DEL" { return #expect(run.exitCode == 0 && run.stdout.isEmpty) }
        #expect(run.exitCode == 1)
        #expect(
            run.json == [
                "cniVersion": "1.1.0", "code": 4, "msg": "containerID is longer than 200 bytes",
                "details": "CNI_CONTAINERID has 201 bytes"
            ])
    }

    @Test func gcAndStatusNeedNoAttachmentVariables() throws {
        let plugin = RecordingPlugin()
        let run = runSkel(
            plugin, env: ["CNI_COMMAND": "GC", "CNI_PATH": "/x"],
            stdin: config(
                "1.1.0",
                extra:
                    #","cni.dev/valid-attachments":[{"containerID":"a","ifname":"eth0"}],"cni.dev/attachments":[{"containerID":"b","ifname":"eth1"}]"#
            ))
        #expect(run.exitCode == 0, "\(run.stdout)")
        #expect(
            plugin.calls.first?.config.validAttachments == [
                Attachment(containerID: "a", ifName: "eth0"), Attachment(containerID: "b", ifName: "eth1")
            ])
        let status = runSkel(plugin, env: ["CNI_COMMAND": "STATUS"], stdin: config("1.1.0"))
        #expect(status.exitCode == 0)
    }

    @Test func absentAttachmentsDifferFromNullOrEmpty() throws {
        let plugin = RecordingPlugin()
        let env = ["CNI_COMMAND": "GC", "CNI_PATH": "/x"]
        _ = runSkel(plugin, env: env, stdin: config("1.1.0"))
        _ = runSkel(plugin, env: env, stdin: config("1.1.0", extra: #","cni.dev/valid-attachments":null"#))
        _ = runSkel(plugin, env: env, stdin: config("1.1.0", extra: #","cni.dev/attachments":[]"#))
        #expect(plugin.calls.map(\.config.validAttachments) == [nil, [], []])
        let bad = runSkel(
            plugin, env: env, stdin: config("1.1.0", extra: #","cni.dev/valid-attachments":[{"containerID":1}]"#))
        #expect(bad.json?.objectValue?["code"] == 7)
    }

    @Test func delDoesNotNeedANetnsAndToleratesUnknownArgs() {
        let plugin = RecordingPlugin()
        var env = addEnv("DEL", ["CNI_ARGS": "K8S_POD_NAME=x"])
        env["CNI_NETNS"] = nil
        let run = runSkel(plugin, env: env, stdin: config("0.3.1"))
        #expect(run.exitCode == 0, "\(run.stdout)")
        #expect(plugin.calls.first?.netns == "")
    }

    @Test func ownNetnsIsRefusedUnlessOverridden() {
        let plugin = RecordingPlugin()
        let run = runSkel(plugin, env: addEnv("ADD", ["CNI_NETNS": "/proc/self/ns/net"]), stdin: config("1.0.0"))
        #expect(run.json?.objectValue?["code"] == 8)
        #expect(plugin.calls.isEmpty)
        let overridden = runSkel(
            plugin, env: addEnv("ADD", ["CNI_NETNS": "/proc/self/ns/net", "CNI_NETNS_OVERRIDE": "1"]),
            stdin: config("1.0.0"))
        #expect(overridden.exitCode == 0)
    }

    @Test func pluginErrorsAreMappedAndCNIErrorsPassUnchanged() {
        let plugin = RecordingPlugin()
        plugin.failure = CNIError(.tryAgainLater, "busy", details: "lock")
        let run = runSkel(plugin, env: addEnv(), stdin: config("0.4.0"))
        #expect(run.exitCode == 1)
        #expect(run.json == ["cniVersion": "0.4.0", "code": 11, "msg": "busy", "details": "lock"])
        struct Opaque: Error {}
        plugin.failure = Opaque()
        #expect(runSkel(plugin, env: addEnv(), stdin: config("0.4.0")).json?.objectValue?["code"] == 999)
        plugin.failure = ConfigError.missing("ipam.subnet")
        #expect(runSkel(plugin, env: addEnv(), stdin: config("0.4.0")).json?.objectValue?["code"] == 7)
    }
}
