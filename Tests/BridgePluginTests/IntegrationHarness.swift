import Addressing
import JSON
import Posix
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A host namespace (where the plugin runs and the bridge lives), an IPAM data dir, a CNI_PATH dir, and the
/// config under test. Pods are further namespaces.
final class BridgeHarness: @unchecked Sendable {
    let host: TestNamespace
    let temp: TemporaryDirectory
    let name: String
    var config: JSONObject
    var pluginPath = TestEnvironment.binary("bridge")
    var extraPath: [String] = []
    var cniPath: String { temp.path + "/bin" }
    var dataDir: String { temp.path + "/data" }

    init(
        _ extra: JSONObject = [:], subnets: [String] = ["10.77.0.0/24"], ipam: Implementation = .go,
        version: String = "1.0.0", name: String = "brtest"
    ) throws {
        let prerequisite = ipam.prerequisite(["host-local"])
        try #require(prerequisite.require(), "missing: \(prerequisite)")
        host = try TestNamespace("brh")
        temp = try TemporaryDirectory("bridge-test")
        self.name = name
        try FileSystem.makeDirectories(temp.path + "/bin")
        try TestSupport.run(["ln", "-s", ipam.path("host-local"), temp.path + "/bin/host-local"])
        config = ["cniVersion": .string(version), "name": .string(name), "type": "bridge", "bridge": "cni0"]
        config["ipam"] = [
            "type": "host-local", "dataDir": .string(temp.path + "/data"),
            "ranges": .array(subnets.map { [["subnet": .string($0)]] })
        ]
        for (key, value) in extra { config[key] = value }
    }

    /// Installs an executable script in CNI_PATH (e.g. an IPAM that fails).
    func installScript(_ name: String, _ body: String, inDirectory dir: String? = nil) throws {
        // Written by a child process: a descriptor of ours open for writing could leak into a concurrently spawned
        // child (another test) and make exec fail with ETXTBSY.
        let path = (dir ?? cniPath) + "/" + name
        try TestSupport.run(
            ["sh", "-c", "cat > \"$0\" && chmod 755 \"$0\"", path], stdin: Array(("#!/bin/sh\n" + body + "\n").utf8))
    }

    func pod() throws -> TestNamespace { try TestNamespace("brp") }

    /// Runs the plugin in the host namespace the way a runtime does: only CNI_* (plus PATH), config on stdin.
    @discardableResult
    func run(
        _ command: String, _ pod: TestNamespace?, id: String = "c1", ifName: String = "eth0", args: String? = nil,
        netns: String? = nil, plugin: String? = nil, config override: JSONObject? = nil, padding: Int = 0
    ) throws -> PluginOutput {
        var env = [
            "CNI_COMMAND=\(command)", "CNI_CONTAINERID=\(id)", "CNI_IFNAME=\(ifName)", "CNI_PATH=\(cniPath)",
            "PATH=" + (extraPath + ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]).joined(separator: ":")
        ]
        if let path = netns ?? pod?.path { env.append("CNI_NETNS=\(path)") }
        if let args { env.append("CNI_ARGS=\(args)") }
        let stdin = [UInt8](repeating: 0x20, count: padding) + JSONValue.object(override ?? config).bytes()
        return try runPlugin(plugin ?? pluginPath, environment: env, stdin: stdin, in: host)
    }

    /// ADD that must succeed; returns the result document.
    func add(_ pod: TestNamespace, id: String = "c1", sourceLocation: SourceLocation = #_sourceLocation) throws
        -> JSONObject
    {
        let out = try run("ADD", pod, id: id)
        #expect(out.exitCode == 0, "ADD failed: \(out.stdout) \(out.stderr)", sourceLocation: sourceLocation)
        return out.object ?? [:]
    }

    /// The config with the ADD result as prevResult (for CHECK).
    func config(withPrevResult result: JSONObject) -> JSONObject {
        var copy = config
        copy["prevResult"] = .object(result)
        return copy
    }

    /// veth links in the host namespace.
    func hostVeths() throws -> [String] {
        try host.ip("-o", "link", "show", "type", "veth").split(separator: "\n").map {
            String($0.split(separator: " ")[1].split(separator: "@")[0])
        }
    }

    /// host-local reservation files (one per address; other bookkeeping files are ignored) of the network.
    func reservations() -> [String] {
        ((try? FileSystem.listDirectory(dataDir + "/" + name)) ?? [])  // no directory: nothing reserved
            .filter { IPAddress($0) != nil }.sorted()
    }

    func nat(_ tool: String = "iptables") throws -> String {
        String(decoding: try host.exec([tool, "-t", "nat", "-S"]).stdout, as: UTF8.self)
    }

    func nftRuleset() throws -> String {
        String(decoding: try host.exec(["nft", "list", "ruleset"]).stdout, as: UTF8.self)
    }

    /// `ping -c1` from a pod, retried briefly (IPv6 neighbours and addresses take a moment).
    func ping(from pod: TestNamespace, _ address: String) throws -> Bool {
        for _ in 0..<5 {
            if try pod.exec(["ping", "-c1", "-W1", address], check: false).exitCode == 0 { return true }
        }
        return false
    }
}

extension JSONObject {
    var ips: [String] { self["ips"]?.arrayValue?.compactMap { $0.objectValue?["address"]?.stringValue } ?? [] }
    var interfaceNames: [String] {
        self["interfaces"]?.arrayValue?.compactMap { $0.objectValue?["name"]?.stringValue } ?? []
    }
}

/// The address part of a CIDR.
func host(_ cidr: String) -> String { String(cidr.split(separator: "/")[0]) }
