import Addressing
import CNI
import JSON
import Posix
import TestSupport

/// A plugin that records what the skel hands it and answers with a fixed result or error.
final class RecordingPlugin: CNIPlugin, @unchecked Sendable {
    var calls: [Invocation] = []
    var result = CNIResult(
        interfaces: [
            .init(name: "cni0", mac: "0a:58:0a:f4:01:01"), .init(name: "veth1234abcd", mac: "aa:bb:cc:dd:ee:01"),
            .init(name: "eth0", mac: "0a:58:0a:f4:01:02", sandbox: "/run/netns/pod")
        ],
        ips: [.init(address: IPNetwork("10.244.1.2/24")!, gateway: IPAddress("10.244.1.1"), interface: 2)],
        routes: [
            .init(destination: IPNetwork("10.244.0.0/16")!),
            .init(destination: IPNetwork("0.0.0.0/0")!, gateway: IPAddress("10.244.1.1"))
        ])
    var failure: (any Error)?
    var about: String { ProjectInfo.about("recording") }
    var knownArgs: [String]? { ["IP"] }

    func add(_ call: Invocation) throws -> CNIResult {
        try record(call)
        return result
    }
    func del(_ call: Invocation) throws { try record(call) }
    func check(_ call: Invocation) throws { try record(call) }
    func status(_ call: Invocation) throws { try record(call) }
    func gc(_ call: Invocation) throws { try record(call) }

    private func record(_ call: Invocation) throws {
        calls.append(call)
        if let failure { throw failure }
    }
}

/// Runs the skel with an injected environment and stdin; captures stdout and stderr.
func runSkel(_ plugin: RecordingPlugin, env: [String: String], stdin: String) -> PluginOutput {
    var out: [UInt8] = []
    var err: [UInt8] = []
    let sink = OutputSink(stdout: { out += $0 }, stderr: { err += $0 })
    let code = Skel.run(
        plugin, environment: Environment(env), stdin: { () throws(Errno) in Array(stdin.utf8) }, output: sink)
    return PluginOutput(exitCode: code, stdout: out, stderr: err)
}

func addEnv(_ command: String = "ADD", _ extra: [String: String] = [:]) -> [String: String] {
    var env = [
        "CNI_COMMAND": command, "CNI_CONTAINERID": "ctr1", "CNI_NETNS": "/run/netns/does-not-matter",
        "CNI_IFNAME": "eth0", "CNI_PATH": "/opt/cni/bin"
    ]
    for (k, v) in extra { env[k] = v }
    return env
}

func config(_ version: String?, extra: String = "") -> String {
    let v = version.map { #""cniVersion":"\#($0)","# } ?? ""
    return #"{\#(v)"name":"testnet","type":"recording"\#(extra)}"#
}
