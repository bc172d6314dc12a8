import CNI
import JSON
import Posix
import TestSupport
import Testing

/// Every error the skel itself emits, pinned as golden JSON (Fixtures/errors/<case>.json).
@Suite struct ErrorGoldenTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var env: [String: String]
        var stdin: String
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "1-unsupported-version", env: addEnv(), stdin: config("9.9.9")),
        Case(name: "1-check-needs-0.4.0", env: addEnv("CHECK"), stdin: config("0.3.1")),
        Case(name: "4-unknown-command", env: addEnv("FROB"), stdin: config("1.0.0")),
        Case(name: "4-missing-variables", env: ["CNI_COMMAND": "ADD", "CNI_IFNAME": "eth0"], stdin: config("1.0.0")),
        Case(name: "4-invalid-container-id", env: addEnv("ADD", ["CNI_CONTAINERID": "../x"]), stdin: config("1.0.0")),
        Case(name: "4-invalid-ifname", env: addEnv("ADD", ["CNI_IFNAME": "eth0:1"]), stdin: config("1.0.0")),
        Case(name: "4-ifname-too-long", env: addEnv("ADD", ["CNI_IFNAME": "abcdefghijklmnop"]), stdin: config("1.0.0")),
        Case(name: "4-unknown-args", env: addEnv("ADD", ["CNI_ARGS": "K8S_POD_NAME=x"]), stdin: config("1.0.0")),
        Case(name: "4-malformed-args", env: addEnv("ADD", ["CNI_ARGS": "IP=1=2"]), stdin: config("1.0.0")),
        Case(
            name: "4-bad-ignoreunknown", env: addEnv("ADD", ["CNI_ARGS": "IgnoreUnknown=maybe"]), stdin: config("1.0.0")
        ),
        Case(name: "6-invalid-json", env: addEnv(), stdin: #"{"cniVersion":"1.0.0","name":"#),
        Case(name: "6-not-an-object", env: addEnv(), stdin: "[1,2]"),
        Case(name: "6-version-not-a-string", env: addEnv(), stdin: #"{"cniVersion":1,"name":"n"}"#),
        Case(name: "7-missing-name", env: addEnv(), stdin: #"{"cniVersion":"1.0.0","type":"x"}"#),
        Case(name: "7-invalid-name", env: addEnv(), stdin: #"{"cniVersion":"1.0.0","name":"../etc","type":"x"}"#),
        Case(
            name: "7-wrong-type-ipam", env: addEnv(), stdin: #"{"cniVersion":"1.0.0","name":"n","ipam":"host-local"}"#),
        Case(name: "8-own-netns", env: addEnv("ADD", ["CNI_NETNS": "/proc/self/ns/net"]), stdin: config("1.0.0"))
    ]

    @Test(arguments: cases)
    func skelErrorsMatchGoldenJSON(c: Case) throws {
        let plugin = RecordingPlugin()
        let run = runSkel(plugin, env: c.env, stdin: c.stdin)
        #expect(run.exitCode == 1)
        #expect(plugin.calls.isEmpty, "the plugin must not run on bad input")
        let json = try #require(run.json, "stdout must be JSON: \(run.stdout)")
        expectGolden(json, "errors/\(c.name).json")
    }

    @Test(arguments: [
        (CNIError(.tryAgainLater, "failed to lock", details: "timeout"), "11-plugin-try-again"),
        (CNIError(.pluginNotAvailable, "subnet.env missing"), "50-status-not-available"),
        (CNIError(.pluginNotAvailableLimitedConnectivity, "degraded"), "51-status-limited"),
        (CNIError(.ioFailure, "disk full"), "5-io"),
        (CNIError(.unknownContainer, "no such container"), "3-unknown-container"),
        (CNIError(.unsupportedField, "unsupported field \"x\"", details: "value 1"), "2-unsupported-field"),
        (CNIError(.internalError, "unexpected"), "999-internal")
    ])
    func pluginErrorsMatchGoldenJSON(error: CNIError, name: String) throws {
        let plugin = RecordingPlugin()
        plugin.failure = error
        let run = runSkel(plugin, env: addEnv("ADD"), stdin: config("1.1.0"))
        #expect(run.exitCode == 1)
        let json = try #require(run.json)
        expectGolden(json, "errors/\(name).json")
    }

    @Test func unreadableStdinIsAnIOFailure() throws {
        var out: [UInt8] = []
        let sink = OutputSink(stdout: { out += $0 }, stderr: { _ in })
        let code = Skel.run(
            RecordingPlugin(), environment: Environment(addEnv()),
            stdin: { () throws(Errno) in throw Errno.ioError }, output: sink)
        #expect(code == 1)
        let json = try JSONValue.parse(out)
        expectGolden(json, "errors/5-stdin-unreadable.json")
    }
}
