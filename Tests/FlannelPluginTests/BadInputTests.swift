import CNI
import FlannelPlugin
import JSON
import Posix
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// flannel's own errors: each has a specific code, a golden error document (Fixtures/errors/), and
/// leaves nothing in dataDir and runs no delegate.
@Suite struct BadInputTests {
    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var command = "ADD"
        var subnetEnv: String? =
            "FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n"
        /// The config, with `$SUBNET` and `$DATA` replaced by the sandbox paths.
        var config: String
        var code: Int64
        var containerID = "ctr1"
        /// Spaces sent before the config (a valid config after megabytes of whitespace).
        var padding = 0
    }

    static let base = #""name":"cbr0","type":"flannel","subnetFile":"$SUBNET","dataDir":"$DATA""#

    static let cases: [Case] = [
        Case(
            description: "7-delegate-name", config: #"{"cniVersion":"0.3.1",\#(base),"delegate":{"name":"x"}}"#, code: 7
        ),
        Case(
            description: "7-delegate-ipam", config: #"{"cniVersion":"0.3.1",\#(base),"delegate":{"ipam":{}}}"#, code: 7),
        Case(
            description: "7-delegate-type-not-string",
            config: #"{"cniVersion":"0.3.1",\#(base),"delegate":{"type":1}}"#, code: 7),
        Case(
            description: "7-delegate-type-null", config: #"{"cniVersion":"0.3.1",\#(base),"delegate":{"type":null}}"#,
            code: 7),
        Case(
            description: "7-delegate-not-an-object", config: #"{"cniVersion":"0.3.1",\#(base),"delegate":"bridge"}"#,
            code: 7),
        Case(
            description: "7-subnet-file-not-a-string",
            config: #"{"cniVersion":"0.3.1","name":"cbr0","type":"flannel","subnetFile":7,"dataDir":"$DATA"}"#, code: 7),
        Case(
            description: "7-ipam-routes-invalid",
            config: #"{"cniVersion":"0.3.1",\#(base),"ipam":{"routes":[{"dst":"nope"}]}}"#, code: 7),
        Case(
            description: "11-subnet-env-missing", subnetEnv: nil, config: #"{"cniVersion":"0.3.1",\#(base)}"#, code: 11),
        Case(
            description: "7-subnet-env-missing-keys", subnetEnv: "FLANNEL_MTU=1450\n",
            config: #"{"cniVersion":"0.3.1",\#(base)}"#, code: 7),
        Case(
            description: "7-subnet-env-bad-mtu",
            subnetEnv:
                "FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_MTU=15OO\nFLANNEL_IPMASQ=true\n",
            config: #"{"cniVersion":"0.3.1",\#(base)}"#, code: 7),
        Case(description: "6-bad-json", config: #"{"cniVersion":"0.3.1",\#(base)"#, code: 6),
        Case(description: "1-unsupported-version", config: #"{"cniVersion":"0.9.9",\#(base)}"#, code: 1),
        Case(description: "1-gc-needs-1.1.0", command: "GC", config: #"{"cniVersion":"1.0.0",\#(base)}"#, code: 1),
        Case(
            description: "50-status-subnet-env-missing", command: "STATUS", subnetEnv: nil,
            config: #"{"cniVersion":"1.1.0",\#(base)}"#, code: 50),
        Case(
            description: "50-status-subnet-env-invalid", command: "STATUS",
            subnetEnv: "FLANNEL_NETWORK=10.244.0.0/16\n",
            config: #"{"cniVersion":"1.1.0",\#(base)}"#, code: 50),
        Case(
            description: "7-status-delegate-name", command: "STATUS",
            config: #"{"cniVersion":"1.1.0",\#(base),"delegate":{"name":"x"}}"#, code: 7),
        Case(
            description: "11-gc-subnet-env-missing", command: "GC", subnetEnv: nil,
            config: #"{"cniVersion":"1.1.0",\#(base),"cni.dev/valid-attachments":[]}"#, code: 11),
        Case(
            description: "7-stdin-10mb-of-whitespace", config: #"{"cniVersion":"0.3.1",\#(base)}"#, code: 7,
            padding: 10 << 20),
        Case(
            description: "4-containerid-5000-bytes", config: #"{"cniVersion":"0.3.1",\#(base)}"#, code: 4,
            containerID: String(repeating: "a", count: 5000)),
        Case(
            description: "4-check-containerid-5000-bytes", command: "CHECK",
            config: #"{"cniVersion":"1.0.0",\#(base)}"#, code: 4, containerID: String(repeating: "a", count: 5000))
    ]

    @Test(arguments: cases)
    func rejectedWithSpecificCodeAndNothingWritten(c: Case) throws {
        let sandbox = try Sandbox(subnetEnv: c.subnetEnv)
        let config = c.config.replacing("$SUBNET", with: sandbox.subnetFile).replacing("$DATA", with: sandbox.dataDir)
        let run = sandbox.run(c.command, String(repeating: " ", count: c.padding) + config, containerID: c.containerID)
        #expect(run.exitCode == 1)
        let json = try #require(try? JSONValue.parse(run.stdout.replacing(sandbox.directory.path, with: "$TMP")))
        #expect(json.objectValue?["code"]?.integerValue == c.code)
        #expect(sandbox.runner.calls.isEmpty, "no delegate may run")
        #expect(!FileSystem.exists(sandbox.dataDir), "nothing may be written to dataDir")
        expectGolden(json, "errors/\(c.description).json")
    }

    /// DEL of a container ID longer than any ADD accepts: success, no delegate, nothing written.
    @Test func delOfAnOverlongContainerIDDoesNothing() throws {
        let sandbox = try Sandbox()
        let run = sandbox.run("DEL", sandbox.config(), containerID: String(repeating: "a", count: 5000))
        #expect(run.exitCode == 0 && run.stdout.isEmpty, "\(run.stdout)")
        #expect(sandbox.runner.calls.isEmpty && !FileSystem.exists(sandbox.dataDir))
    }

    /// A symlink planted under the container's name in dataDir is replaced (rename), never written through.
    @Test(arguments: [true, false]) func plantedSymlinkIsReplacedNotWrittenThrough(dangling: Bool) throws {
        let sandbox = try Sandbox()
        let target = sandbox.directory.path + "/target"
        if !dangling { try FileSystem.writeFileAtomically(target, Array("precious".utf8)) }
        try FileSystem.makeDirectories(sandbox.dataDir, mode: 0o700)
        #expect(symlink(target, sandbox.dataDir + "/ctr1") == 0)
        #expect(sandbox.run("ADD", sandbox.config()).exitCode == 0)
        #expect(try dangling ? !FileSystem.exists(target) : FileSystem.readFile(target) == Array("precious".utf8))
        var st = stat()
        #expect(lstat(sandbox.dataDir + "/ctr1", &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG)
        if case .found = sandbox.store.load("ctr1") {} else { Issue.record("stored config unreadable") }
    }

    /// `ipam.routes` problems name the key path.
    @Test func configErrorsNameTheKeyPath() throws {
        let config = try NetworkConfig(
            parsing: Array(#"{"name":"n","ipam":{"routes":[{"dst":"10.0.0.0/8","gw":"x"}]}}"#.utf8))
        #expect(throws: FlannelError.config(.invalid("ipam.routes[0].gw", "\"x\" is not an IP address"))) {
            try FlannelConfig(parsing: config)
        }
    }
}
