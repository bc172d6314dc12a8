import JSON
import Posix
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// One network in a temp data dir, and the plugin invocations a runtime would make on it.
final class Network {
    let temp: TemporaryDirectory
    let name: String
    var version: String
    var ipam: JSONObject

    init(version: String = "1.0.0", name: String = "hlnet", ranges: JSONValue? = nil) throws {
        temp = try TemporaryDirectory("host-local-test")
        self.name = name
        self.version = version
        ipam = ["type": "host-local", "dataDir": .string(temp.path)]
        ipam["ranges"] = ranges ?? [[["subnet": "10.10.0.0/24"]]]
    }

    var dataDir: String { temp.path }
    var directory: String { temp.path + "/" + name }

    /// The stdin document; `extra` keys are merged at the top level.
    func config(_ extra: JSONObject = [:]) -> [UInt8] {
        var object: JSONObject = ["cniVersion": .string(version), "name": .string(name), "type": "host-local"]
        object["ipam"] = .object(ipam)
        for (key, value) in extra { object[key] = value }
        return JSONValue.object(object).bytes()
    }

    /// Runs a plugin the way a runtime does: CNI_* variables only, config on stdin.
    @discardableResult
    func run(
        _ command: String, _ containerID: String = "c1", ifName: String = "eth0", args: String? = nil,
        implementation: Implementation = .swift, stdin: [UInt8]? = nil, environment: [String: String] = [:]
    ) throws -> PluginOutput {
        var env: [String: String] = [
            "CNI_COMMAND": command, "CNI_CONTAINERID": containerID, "CNI_NETNS": "/var/run/netns/test-\(containerID)",
            "CNI_IFNAME": ifName, "CNI_PATH": TestEnvironment.goPluginDirectory
        ]
        if let args { env["CNI_ARGS"] = args }
        for (key, value) in environment { env[key] = value }
        let entries = env.filter { !$0.value.isEmpty || $0.key == "CNI_ARGS" }.sorted { $0.key < $1.key }
        return try runPlugin(
            implementation.path("host-local"), environment: entries.map { "\($0.key)=\($0.value)" },
            stdin: stdin ?? config())
    }

    /// ADD that must succeed; returns the addresses of the result.
    @discardableResult
    func add(_ containerID: String, ifName: String = "eth0", implementation: Implementation = .swift) throws -> [String]
    {
        let out = try run("ADD", containerID, ifName: ifName, implementation: implementation)
        try #require(out.exitCode == 0, "ADD \(containerID) failed: \(out.stdout) \(out.stderr)")
        return addresses(out)
    }

    /// Every file under the data dir with its bytes (the on-disk state).
    func snapshot() throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        guard FileSystem.isDirectory(dataDir) else { return files }
        for entry in try FileSystem.listDirectory(dataDir) {
            let path = dataDir + "/" + entry
            guard FileSystem.isDirectory(path) else {
                files[entry] = try FileSystem.readFile(path)
                continue
            }
            for name in try FileSystem.listDirectory(path) {
                files[entry + "/" + name] = try FileSystem.readFile(path + "/" + name)
            }
        }
        return files
    }

    /// The reservation files (names that are addresses) and their contents.
    func reservations() throws -> [String: String] {
        var result: [String: String] = [:]
        for name in try FileSystem.listDirectory(directory)
        where name.first!.isHexDigit && (name.contains(".") || name.contains(":")) && !name.contains(".tmp.") {
            result[name] = try FileSystem.readText(directory + "/" + name)
        }
        return result
    }

    /// Replaces the temp dir path in text, so goldens do not depend on it.
    func normalized(_ text: String) -> String { text.replacing(temp.path, with: "$DATADIR") }
}

/// `address` of each `ips[]` entry (1.x/0.3/0.4 shapes) or of `ip4`/`ip6` (0.1/0.2).
func addresses(_ out: PluginOutput) -> [String] {
    guard let object = out.json?.objectValue else { return [] }
    if let ips = object["ips"]?.arrayValue { return ips.compactMap { $0.objectValue?["address"]?.stringValue } }
    return ["ip4", "ip6"].compactMap { object[$0]?.objectValue?["ip"]?.stringValue }
}
