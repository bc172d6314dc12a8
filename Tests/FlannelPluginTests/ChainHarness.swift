import JSON
import Posix
import TestSupport
import Testing

#if canImport(Glibc)
import Addressing
import Glibc
#endif

/// The delegates flannel runs in a chain test (`bridge` and `host-local`): Go's reference plugins or ours.
extension Implementation {
    static let delegates = ["bridge", "host-local"]
}

/// A throw-away "node": a host namespace (where flannel, bridge and cni0 live), a temp dir with
/// CNI_PATH, subnet.env, flannel's dataDir and host-local's dataDir. Nothing touches the root namespace.
final class FlannelNode {
    let chain: Implementation
    let host: TestNamespace
    let scratch: TemporaryDirectory
    var bin: String { scratch.path + "/bin" }
    var subnetFile: String { scratch.path + "/subnet.env" }
    var dataDir: String { scratch.path + "/flannel" }
    var ipamDir: String { scratch.path + "/ipam" }

    init(_ chain: Implementation, subnetEnv: String = "subnet.env") throws {
        self.chain = chain
        let prerequisite = chain.prerequisite(Implementation.delegates)
        try #require(prerequisite.require(), "missing: \(prerequisite)")
        host = try TestNamespace("flh")
        scratch = try TemporaryDirectory("flannel-node")
        try FileSystem.makeDirectories(bin)
        try useRealBridge()
        try run(["ln", "-sf", chain.path("host-local"), bin + "/host-local"])
        try FileSystem.writeFileAtomically(subnetFile, try FileSystem.readFile(Self.conf(subnetEnv)), mode: 0o644)
        try disableDAD(host)
    }

    static func conf(_ name: String) -> String { TestEnvironment.packageRoot + "/conf/" + name }

    /// A pod namespace with DAD off (so IPv6 addresses are usable at once).
    func makePod() throws -> TestNamespace {
        let pod = try TestNamespace("flp")
        try disableDAD(pod)
        return pod
    }

    private func disableDAD(_ ns: TestNamespace) throws {
        try ns.exec(["sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0"])
    }

    /// flannel's entry of conf/10-flannel.conflist as a runtime sends it, pointed at this node's files.
    func config(_ version: String, extra: JSONObject = [:]) throws -> String {
        let list = try JSONValue.parse(try FileSystem.readFile(Self.conf("10-flannel.conflist")))
        let plugin = try #require(list.objectValue?["plugins"]?.arrayValue?.first?.objectValue)
        var object: JSONObject = ["cniVersion": .string(version), "name": "cbr0"]
        for (key, value) in plugin { object[key] = value }
        object["subnetFile"] = .string(subnetFile)
        object["dataDir"] = .string(dataDir)
        object["ipam"] = ["dataDir": .string(ipamDir)]
        for (key, value) in extra { object[key] = value }
        return JSONValue.object(object).serialized()
    }

    /// Runs the built flannel inside the host namespace with a clean environment.
    func flannel(_ command: String, _ config: String, containerID: String = "", pod: TestNamespace? = nil) throws
        -> PluginOutput
    {
        var env = [
            "CNI_COMMAND=" + command, "CNI_PATH=\(bin):\(TestEnvironment.goPluginDirectory)",
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        ]
        if !containerID.isEmpty { env += ["CNI_CONTAINERID=" + containerID, "CNI_IFNAME=eth0"] }
        if let pod { env.append("CNI_NETNS=" + pod.path) }
        return try runPlugin(TestEnvironment.binary("flannel"), environment: env, stdin: Array(config.utf8), in: host)
    }

    /// host-local's reserved addresses for network cbr0 (file names, without lock/last_reserved_ip).
    func reservations() -> [String] {
        let dir = ipamDir + "/cbr0"
        let names = (try? FileSystem.listDirectory(dir)) ?? []
        // Reservations are the files named by an address (not lock, last_reserved_ip.N, boot_id, temp files).
        return names.filter { IPAddress($0) != nil }.sorted()
    }

    func storedFiles() -> [String] { ((try? FileSystem.listDirectory(dataDir)) ?? []).sorted() }

    func stored(_ containerID: String) throws -> JSONValue {
        try JSONValue.parse(try FileSystem.readFile(dataDir + "/" + containerID))
    }

    func useRealBridge() throws { try run(["ln", "-sfn", chain.path("bridge"), bin + "/bridge"]) }

    /// Replaces `bridge` with a script that fails like a delegate does: error JSON on stdout, exit 1.
    func useFailingBridge() throws {
        try installScript(#"cat >/dev/null; echo '{"code":11,"msg":"injected delegate failure"}'; exit 1"#)
    }

    /// Replaces `bridge` with a script that records its stdin per command and succeeds (the Go
    /// reference bridge predates STATUS and GC).
    func useRecordingBridge() throws { try installScript(#"cat > "\#(scratch.path)/delegate-$CNI_COMMAND.json""#) }

    func recorded(_ command: String) throws -> JSONObject {
        try #require(
            try JSONValue.parse(try FileSystem.readFile(scratch.path + "/delegate-\(command).json")).objectValue)
    }

    func installScript(_ body: String) throws {
        _ = try FileSystem.removeFile(bin + "/bridge")
        try FileSystem.writeFileAtomically(bin + "/bridge", Array("#!/bin/sh\n\(body)\n".utf8), mode: 0o755)
    }
}

extension TestNamespace {
    /// `ip -o addr show dev eth0` (empty when eth0 is gone).
    func eth0Addresses() -> String {
        guard let result = try? exec(["ip", "-o", "addr", "show", "dev", "eth0"], check: false), result.exitCode == 0
        else {
            return ""
        }
        return String(decoding: result.stdout, as: UTF8.self)
    }
}
