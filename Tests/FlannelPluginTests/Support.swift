import Addressing
import CNI
import Delegate
import FlannelPlugin
import JSON
import Posix
import TestSupport

enum IPNetworkLiteral {
    static let v4Net = IPNetwork("10.244.0.0/16")!
    static let v4Subnet = IPNetwork("10.244.1.0/24")!
}

/// A fake bridge delegate: ADD answers with a bridge result, and it says it is ours (a test may play a foreign one).
func makeRunner() -> FakeDelegates {
    FakeDelegates(
        outputs: [
            .add: Array(
                #"""
                {"cniVersion":"0.3.1","interfaces":[{"name":"cni0","mac":"0a:58:0a:f4:01:01"},{"name":"veth1234abcd","mac":"aa:bb:cc:dd:ee:01"},{"name":"eth0","mac":"0a:58:0a:f4:01:02","sandbox":"/run/netns/pod"}],"ips":[{"version":"4","interface":2,"address":"10.244.1.2/24","gateway":"10.244.1.1"}],"routes":[{"dst":"10.244.0.0/16"},{"dst":"0.0.0.0/0","gw":"10.244.1.1"}],"dns":{}}
                """#.utf8)
        ],
        aboutText: ProjectInfo.about("bridge"))
}

/// A scratch area: subnet.env, flannel's dataDir, and the skel run against a fake delegate.
final class Sandbox {
    let directory: TemporaryDirectory
    let runner = makeRunner()
    var subnetFile: String { directory.path + "/subnet.env" }
    var dataDir: String { directory.path + "/flannel" }
    var store: DelegateStore { DelegateStore(directory: dataDir) }

    init(
        subnetEnv: String? =
            "FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n"
    ) throws {
        directory = try TemporaryDirectory("flannel-unit")
        if let subnetEnv { try writeSubnetEnv(subnetEnv) }
    }

    func writeSubnetEnv(_ text: String) throws {
        try FileSystem.writeFileAtomically(subnetFile, Array(text.utf8), mode: 0o644)
    }

    /// flannel's config as the runtime sends it; `extra` is spliced in as more keys.
    func config(_ version: String = "0.3.1", extra: String = "") -> String {
        #"{"cniVersion":"\#(version)","name":"cbr0","type":"flannel","subnetFile":"\#(subnetFile)","dataDir":"\#(dataDir)","delegate":{"hairpinMode":true,"isDefaultGateway":true}\#(extra)}"#
    }

    func run(_ command: String, _ stdin: String, containerID: String = "ctr1") -> PluginOutput {
        var env = ["CNI_COMMAND": command, "CNI_PATH": "/opt/cni/bin"]
        if ["ADD", "DEL", "CHECK"].contains(command) {
            env["CNI_CONTAINERID"] = containerID
            env["CNI_IFNAME"] = "eth0"
            if command != "DEL" { env["CNI_NETNS"] = "/run/netns/flannel-unit-does-not-exist" }
        }
        var out: [UInt8] = []
        var err: [UInt8] = []
        let sink = OutputSink(stdout: { out += $0 }, stderr: { err += $0 })
        let code = Skel.run(
            FlannelPlugin(runner: runner), environment: Environment(env),
            stdin: { () throws(Errno) in Array(stdin.utf8) }, output: sink)
        return PluginOutput(exitCode: code, stdout: out, stderr: err)
    }

    func storedFiles() -> [String] { (try? FileSystem.listDirectory(dataDir))?.sorted() ?? [] }
}
