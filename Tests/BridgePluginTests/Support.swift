#if canImport(Glibc)
import Glibc
#endif
import BridgePlugin
import CNI
import JSON
import Posix
import TestSupport
import Testing

/// A bridge network config (1.0.0, name `brnet`) with `extra` keys merged at the top level.
func makeNetworkConfig(_ extra: JSONObject = [:], version: String = "1.0.0") throws -> NetworkConfig {
    var object: JSONObject = ["cniVersion": .string(version), "name": "brnet", "type": "bridge"]
    for (key, value) in extra { object[key] = value }
    return try NetworkConfig(parsing: JSONValue.object(object).bytes())
}

/// Compares `actual` with `Fixtures/<name>` byte for byte (the text is what the firewall tool reads).
/// `RECORD_FIXTURES=1` rewrites the file and fails the test.
func expectGolden(_ actual: String, _ name: String, file: StaticString = #filePath, sourceLocation: SourceLocation = #_sourceLocation) {
    let path = fixturePath(name, file: file)
    if getenv("RECORD_FIXTURES") != nil {
        do { try FileSystem.writeFileAtomically(path, Array(actual.utf8), mode: 0o644) } catch {
            Issue.record("cannot record \(path): \(error)", sourceLocation: sourceLocation)
        }
        Issue.record("recorded \(name); unset RECORD_FIXTURES", sourceLocation: sourceLocation)
        return
    }
    let expected: String
    do { expected = try FileSystem.readText(path) } catch {
        Issue.record("missing fixture \(name)", sourceLocation: sourceLocation)
        return
    }
    #expect(actual == expected, "golden \(name) differs", sourceLocation: sourceLocation)
}

/// Records every firewall call; answers listings from canned output.
final class RecordingFirewall: FirewallRunner, @unchecked Sendable {
    struct Call: Equatable { var tool: FirewallTool; var arguments: [String]; var stdin: String }
    private(set) var calls: [Call] = []
    var listings: [FirewallTool: String] = [:]
    var available: Set<FirewallTool> = Set(FirewallTool.allCases)

    func run(_ tool: FirewallTool, _ arguments: [String], stdin: String) throws(FirewallError) -> String {
        calls.append(Call(tool: tool, arguments: arguments, stdin: stdin))
        if arguments.contains("-S") || arguments.contains("-j") {
            guard let listing = listings[tool] else {
                throw FirewallError(command: tool.rawValue, exitCode: 1, output: "Error: No such file or directory")
            }
            return listing
        }
        return ""
    }

    func isAvailable(_ tool: FirewallTool) -> Bool { available.contains(tool) }
    var applied: [Call] { calls.filter { !$0.stdin.isEmpty } }
}

/// Records delegate (IPAM) calls and answers ADD with a fixed result.
final class RecordingDelegates: DelegateRunner, @unchecked Sendable {
    private(set) var commands: [Command] = []
    var failure: CNIError?

    func run(_ type: String, _ command: Command, stdin: [UInt8], for call: Invocation) throws(CNIError) -> [UInt8] {
        commands.append(command)
        if let failure { throw failure }
        return Array(#"{"cniVersion":"1.0.0","ips":[{"address":"10.1.0.5/24","gateway":"10.1.0.1"}]}"#.utf8)
    }
}
