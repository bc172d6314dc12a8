/// What a plugin implements; the skel does the CNI envelope (environment, version, errors, output).
public protocol CNIPlugin {
    /// The "about" line printed when run without `CNI_COMMAND` (e.g. `CNI bridge plugin (swift-cni-plugins) v1.2.0`).
    var about: String { get }
    /// `CNI_ARGS` keys this plugin understands (validated on ADD and CHECK); nil to accept anything.
    var knownArgs: [String]? { get }

    /// Called once the command is known, its required variables are set and stdin has been read, before the config
    /// is parsed or checked: a plugin may start slow work that needs neither (flannel and bridge start their
    /// delegate's process). It must change no state: whatever it starts is abandoned if the call then fails. The
    /// default does nothing.
    func prepare(_ command: Command, environment: Environment)

    func add(_ call: Invocation) throws -> CNIResult
    func del(_ call: Invocation) throws
    func check(_ call: Invocation) throws
    func status(_ call: Invocation) throws
    func gc(_ call: Invocation) throws
}

extension CNIPlugin {
    public var knownArgs: [String]? { [] }
    public func prepare(_ command: Command, environment: Environment) {}
}
