public import CNI
import JSON

/// The `flannel` meta-plugin: turns the node's flannel lease (subnet.env) plus its own config into a
/// delegate config (bridge + host-local by default), stores it per container and runs the delegate.
public struct FlannelPlugin: CNIPlugin {
    let runner: any DelegateRunner

    /// `runner` executes the delegate; tests pass a recording fake.
    public init(runner: any DelegateRunner = ExecDelegateRunner()) { self.runner = runner }

    public var about: String { ProjectInfo.about("flannel") }
    /// flannel reads no `CNI_ARGS`; the delegate validates its own (`MAC`, `IP`, `IgnoreUnknown`).
    public var knownArgs: Set<String>? { nil }

    /// Builds the delegate config, stores it (before running anything, so a DEL can always replay it)
    /// and returns the delegate's result; the skel prints it in flannel's `cniVersion`.
    public func add(_ call: Invocation) throws -> CNIResult {
        let config = try FlannelConfig(parsing: call.config)
        let delegate = DelegateConfig.make(config, try SubnetEnv.load(config.subnetFile))
        let bytes = JSONValue.object(delegate).bytes()
        call.log("flannel: delegate config: " + String(decoding: bytes, as: UTF8.self))
        try DelegateStore(directory: config.dataDir).save(bytes, for: call.containerID)
        return try runner.add(DelegateConfig.type(of: delegate) ?? DelegateConfig.defaultType, stdin: bytes, for: call)
    }

    /// CHECK on the delegate with the config stored by ADD, given flannel's `prevResult` and version.
    public func check(_ call: Invocation) throws {
        let store = DelegateStore(directory: try FlannelError.parsing { () throws(ConfigError) in
            try FlannelConfig.dataDir(in: call.config.raw)
        })
        let stored = try storedForCheck(store, call.containerID)
        var delegate = stored.object
        delegate["cniVersion"] = call.config.raw["cniVersion"] ?? delegate["cniVersion"]
        delegate["prevResult"] = call.config.prevResult.map(JSONValue.object)
        _ = try runner.run(stored.type, .check, stdin: JSONValue.object(delegate).bytes(), for: call)
    }

    /// Ready when subnet.env is loadable (else 50) and the delegate reports ready.
    public func status(_ call: Invocation) throws {
        let config = try FlannelConfig(parsing: call.config)
        let lease: SubnetEnv
        do { lease = try SubnetEnv.load(config.subnetFile) } catch { throw FlannelError.notReady(error) }
        let delegate = DelegateConfig.make(config, lease)
        _ = try runner.run(DelegateConfig.type(of: delegate) ?? DelegateConfig.defaultType, .status,
                           stdin: JSONValue.object(delegate).bytes(), for: call)
    }

    public func cniError(for error: any Error) -> CNIError { CNIError(wrapping: error) }

    private func storedForCheck(_ store: DelegateStore, _ containerID: String) throws(FlannelError) -> DelegateStore.Stored {
        switch store.load(containerID) {
        case .found(let stored): return stored
        case .missing: throw .storedConfigUnreadable(path: store.path(for: containerID), .noSuchFileOrDirectory)
        case .corrupt(let reason): throw .storedConfigCorrupt(path: store.path(for: containerID), reason: reason)
        }
    }
}
