import JSON
public import Posix

/// The CNI envelope shared by all plugins: reads the environment and stdin, validates in the
/// reference order (VERSION first, then variables, then config), dispatches, prints.
public enum Skel {
    /// Runs `plugin` as the process does and returns the exit code.
    public static func run(_ plugin: some CNIPlugin) -> Int32 {
        run(plugin, environment: .current(), stdin: StandardStreams.readStandardInput, output: .standard)
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
            let call = try makeInvocation(
                plugin, command, environment: environment, stdin: stdin, output: output, version: &version)
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
            "supportedVersions": .array(CNIVersion.allCases.map { .string($0.rawValue) }),
        ])
        return reply.bytes() + [0x0A]
    }

    private static func makeInvocation(
        _ plugin: some CNIPlugin, _ command: Command, environment: Environment, stdin: () throws(Errno) -> [UInt8],
        output: OutputSink, version: inout String
    ) throws(CNIError) -> Invocation {
        let missing = command.requiredVariables.filter { (environment[$0] ?? "").isEmpty }
        guard missing.isEmpty else {
            throw CNIError(.invalidEnvironmentVariables, "required env variables [\(missing.joined(separator: ","))] missing")
        }
        let bytes: [UInt8]
        do { bytes = try stdin() } catch { throw CNIError(.ioFailure, "error reading from stdin: \(error)") }
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
