import JSON
public import Posix

/// The CNI envelope shared by all plugins: reads the environment and stdin, validates in the
/// reference order (VERSION first, then variables, then config), dispatches, prints.
public enum Skel {
    /// The most stdin a plugin accepts, in bytes (1 MiB): far above any real network config with its `prevResult`
    /// (a few KiB). Larger input is refused with code 7 before it is parsed and before anything is changed; only
    /// one byte past the limit is ever read.
    public static let stdinLimit = 1 << 20

    /// Runs `plugin` as the process does and returns the exit code.
    public static func run(_ plugin: some CNIPlugin) -> Int32 {
        run(plugin, environment: .current(), stdin: readLimitedStandardInput, output: .standard)
    }

    /// stdin up to one byte past `stdinLimit`, which is enough to tell that it is too large.
    private static func readLimitedStandardInput() throws(Errno) -> [UInt8] {
        try StandardStreams.readStandardInput(upTo: stdinLimit + 1)
    }

    /// Testable entry: environment, stdin and output injected.
    public static func run(
        _ plugin: some CNIPlugin, environment: Environment, stdin: () throws(Errno) -> [UInt8], output: OutputSink
    ) -> Int32 {
        var version = CNIVersion.latest.rawValue
        do throws(CNIError) {
            guard let commandText = environment["CNI_COMMAND"] else {
                let versions = CNIVersion.allCases.map(\.rawValue).joined(separator: ", ")
                output.stderr(Array("\(plugin.about)\nCNI protocol versions supported: \(versions)\n".utf8))
                return 0
            }
            guard let command = Command(rawValue: commandText) else {
                throw CNIError(.invalidEnvironmentVariables, "unknown CNI_COMMAND: \(commandText)")
            }
            if command == .version {
                output.stdout(versionReply())
                return 0
            }
            guard
                let call = try makeInvocation(
                    plugin, command, environment: environment, stdin: stdin, output: output, version: &version)
            else { return 0 }  // a DEL that cannot concern any attachment: nothing to do
            try validateArgs(call, plugin)
            try dispatch(plugin, call)
            return 0
        } catch {
            output.stdout(error.json(version: version).bytes(indent: 4) + [0x0A])
            return 1
        }
    }

    /// `{"cniVersion":"1.1.0","supportedVersions":[...]}` (compact, like the reference).
    public static func versionReply() -> [UInt8] {
        let reply: JSONValue = .object([
            "cniVersion": .string(CNIVersion.latest.rawValue),
            "supportedVersions": .array(CNIVersion.allCases.map { .string($0.rawValue) })
        ])
        return reply.bytes() + [0x0A]
    }

    private static func makeInvocation(
        _ plugin: some CNIPlugin, _ command: Command, environment: Environment, stdin: () throws(Errno) -> [UInt8],
        output: OutputSink, version: inout String
    ) throws(CNIError) -> Invocation? {
        let missing = command.requiredVariables.filter { (environment[$0] ?? "").isEmpty }
        guard missing.isEmpty else {
            throw CNIError(
                .invalidEnvironmentVariables, "required env variables [\(missing.joined(separator: ","))] missing")
        }
        let bytes: [UInt8]
        do { bytes = try stdin() } catch { throw CNIError(.ioFailure, "error reading from stdin: \(error)") }
        guard bytes.count <= stdinLimit else {
            throw CNIError(
                .invalidNetworkConfig, "stdin exceeds \(stdinLimit) bytes",
                details: "the network configuration on stdin is limited to 1 MiB")
        }
        if command.isPerAttachment, try !containerIDFits(command, environment["CNI_CONTAINERID"] ?? "") {
            return nil
        }
        plugin.prepare(command, environment: environment)
        let config = try decodeConfig(bytes, version: &version)
        let call = Invocation(
            command: command, containerID: environment["CNI_CONTAINERID"] ?? "", netns: environment["CNI_NETNS"] ?? "",
            ifName: environment["CNI_IFNAME"] ?? "", args: try CNIArgs(parsing: environment["CNI_ARGS"] ?? ""),
            path: environment.searchPath, config: config, environment: environment, output: output)
        try validateIdentifiers(call)
        guard call.config.cniVersion.allows(command) else {
            throw CNIError(
                .incompatibleCNIVersion, "config version does not allow \(command.rawValue)",
                details: "config is \"\(call.config.cniVersion)\"")
        }
        return call
    }

    private static func decodeConfig(_ bytes: [UInt8], version: inout String) throws(CNIError) -> NetworkConfig {
        let object = try NetworkConfig.decode(bytes)
        if let text = object["cniVersion"]?.stringValue, CNIVersion(rawValue: text) != nil {
            version = text  // errors from here on speak the config's version
        }
        return try NetworkConfig(object: object, bytes: bytes)
    }

    /// Whether the container ID is within `Identifiers.containerIDLimit`. A longer one is refused on ADD and CHECK
    /// (code 4); on DEL it cannot name anything an ADD made, so the DEL succeeds without doing anything (false).
    private static func containerIDFits(_ command: Command, _ containerID: String) throws(CNIError) -> Bool {
        let length = containerID.utf8.count
        guard length > Identifiers.containerIDLimit else { return true }
        guard command == .del else {
            throw CNIError(
                .invalidEnvironmentVariables,
                "containerID is longer than \(Identifiers.containerIDLimit) bytes",
                details: "CNI_CONTAINERID has \(length) bytes")
        }
        return false
    }

    private static func validateIdentifiers(_ call: Invocation) throws(CNIError) {
        guard call.command.isPerAttachment else { return }
        guard Identifiers.isValidName(call.containerID) else {
            throw CNIError(.invalidEnvironmentVariables, "invalid characters in containerID", details: call.containerID)
        }
        if let problem = Identifiers.interfaceNameProblem(call.ifName) {
            throw CNIError(.invalidEnvironmentVariables, "invalid interface name: \(problem)", details: call.ifName)
        }
        if call.command == .add || call.command == .check, call.environment["CNI_NETNS_OVERRIDE"] == nil,
            let target = FileSystem.identity(call.netns), let own = FileSystem.identity("/proc/self/ns/net"),
            target == own
        {
            throw CNIError(.invalidNetNS, "netns must not be the plugin's own network namespace", details: call.netns)
        }
    }

    private static func validateArgs(_ call: Invocation, _ plugin: some CNIPlugin) throws(CNIError) {
        guard call.command == .add || call.command == .check, let known = plugin.knownArgs else { return }
        try call.args.validate(known: known)
    }

    private static func dispatch(_ plugin: some CNIPlugin, _ call: Invocation) throws(CNIError) {
        do {
            switch call.command {
            case .add:
                let result = try plugin.add(call)
                call.output.stdout(try result.json(version: call.config.cniVersion).bytes(indent: 4) + [0x0A])
            case .del: try plugin.del(call)
            case .check: try plugin.check(call)
            case .status: try plugin.status(call)
            case .gc: try plugin.gc(call)
            case .version: call.output.stdout(versionReply())
            }
        } catch {
            // Each plugin's Errors.swift gives its library errors their codes (`CNIErrorConvertible`); the rest is 999.
            throw CNIError(wrapping: error)
        }
    }
}
