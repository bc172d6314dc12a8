import Posix

/// Where a plugin's output goes: stdout for the result or error, stderr for logs.
public final class OutputSink: @unchecked Sendable {
    private let writeOut: ([UInt8]) -> Void
    private let writeErr: ([UInt8]) -> Void

    public init(stdout: @escaping ([UInt8]) -> Void, stderr: @escaping ([UInt8]) -> Void) {
        writeOut = stdout
        writeErr = stderr
    }

    /// The process's real stdout and stderr.
    public static let standard = OutputSink(
        stdout: { StandardStreams.write($0, to: 1) }, stderr: { StandardStreams.write($0, to: 2) })

    public func stdout(_ bytes: [UInt8]) { writeOut(bytes) }
    public func stderr(_ bytes: [UInt8]) { writeErr(bytes) }
}

/// One plugin call: the parsed environment and stdin.
public struct Invocation: Sendable {
    public var command: Command
    public var containerID: String
    /// `CNI_NETNS`; empty when not given (allowed on DEL).
    public var netns: String
    public var ifName: String
    public var args: CNIArgs
    /// `CNI_PATH` split on `:`.
    public var path: [String]
    public var config: NetworkConfig
    public var environment: Environment
    public var output: OutputSink

    public init(
        command: Command, containerID: String = "", netns: String = "", ifName: String = "", args: CNIArgs = CNIArgs(),
        path: [String] = [], config: NetworkConfig, environment: Environment = Environment(entries: []),
        output: OutputSink = .standard
    ) {
        self.command = command
        self.containerID = containerID
        self.netns = netns
        self.ifName = ifName
        self.args = args
        self.path = path
        self.config = config
        self.environment = environment
        self.output = output
    }

    public var attachment: Attachment { Attachment(containerID: containerID, ifName: ifName) }

    /// A line on stderr (logs never go to stdout).
    public func log(_ message: String) { output.stderr(Array((message + "\n").utf8)) }
}
