public import Firewall

/// Records every firewall call; answers listings from canned output.
public final class RecordingFirewall: FirewallRunner, @unchecked Sendable {
    public struct Call: Equatable, Sendable {
        public var tool: FirewallTool
        public var arguments: [String]
        public var stdin: String
    }
    public private(set) var calls: [Call] = []
    public var listings: [FirewallTool: String] = [:]
    public var available: Set<FirewallTool> = Set(FirewallTool.allCases)

    public init() {}

    public func run(_ tool: FirewallTool, _ arguments: [String], stdin: String) throws(FirewallError) -> String {
        calls.append(Call(tool: tool, arguments: arguments, stdin: stdin))
        if arguments.contains("-S") || arguments.contains("-j") {
            guard let listing = listings[tool] else {
                throw FirewallError(command: tool.rawValue, exitCode: 1, output: "Error: No such file or directory")
            }
            return listing
        }
        return ""
    }

    public func isAvailable(_ tool: FirewallTool) -> Bool { available.contains(tool) }
    public var applied: [Call] { calls.filter { !$0.stdin.isEmpty } }
}
