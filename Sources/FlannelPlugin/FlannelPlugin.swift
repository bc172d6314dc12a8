public import CNI
public import Delegate
import JSON

/// The `flannel` meta-plugin: turns the node's flannel lease (subnet.env) plus its own config into a
/// delegate config (bridge + host-local by default), stores it per container and runs the delegate.
public struct FlannelPlugin: CNIPlugin {
    let runner: any DelegateRunner

    /// `runner` executes the delegate; tests pass a recording fake.
    public init(runner: any DelegateRunner = ExecDelegateRunner()) { self.runner = runner }

    public var about: String { ProjectInfo.about("flannel") }
    /// flannel reads no `CNI_ARGS`; the delegate validates its own (`MAC`, `IP`, `IgnoreUnknown`).
    public var knownArgs: [String]? { nil }

    /// ADD: the default delegate's process is started before flannel parses its own config, so that both start-ups
    /// overlap. It waits for stdin: a config that turns out to name another
    /// delegate, or any error, kills it before it read a byte (`ExecDelegateRunner.prestart`).
    /// ADD and DEL first take the pod's namespace lock, which the delegate inherits (`NamespaceLock`): a runtime's DEL
    /// after this process was killed waits until its delegate's orphaned ADD is over.
    public func prepare(_ command: Command, environment: Environment) {
        NamespaceLock.take(command, environment: environment)
        guard command == .add else { return }
        runner.prestart(DelegateConfig.defaultType, .add, environment: environment)
    }

    /// Builds the delegate config, stores it (durably, before the delegate gets it, so a DEL can always replay it)
    /// and returns the delegate's result; the skel prints it in flannel's `cniVersion`.
    ///
    /// Overlapping: the delegate's start-up (begun in `prepare`), the stored file's fsync and, once the
    /// delegate has its config, the directory fsync. The delegate begins its ADD only when its stdin arrives, after
    /// the complete file is durable under its name; the result is returned once the name is durable too. With an
    /// unusable config or lease the delegate never gets any input.
    public func add(_ call: Invocation) throws -> CNIResult {
        try NamespaceLock.hold(call)
        let config = try FlannelConfig(parsing: call.config)
        let delegate = DelegateConfig.make(config, try SubnetEnv.load(config.subnetFile))
        let bytes = JSONValue.object(delegate).bytes()
        call.log("flannel: delegate config: " + String(decoding: bytes, as: UTF8.self))
        let saving = try DelegateStore(directory: config.dataDir).beginSave(bytes, for: call.containerID)
        let result = try runner.add(DelegateConfig.type(for: config), for: call) {
            try saving.commit()
            return bytes
        }
        saving.waitUntilDurable()
        return result
    }

    /// CHECK: the config stored by ADD must be there and readable; then, when the delegate is ours, the delegate's
    /// CHECK on it, given flannel's `prevResult` and version. Another delegate (the Go bridge on a node where only
    /// flannel was replaced) gets no CHECK, as with the reference flannel, whose CHECK does nothing: Go bridges up to
    /// at least 1.1.1 fail CHECK on flannel's own routes (they look for a route without gateway after installing it
    /// via the gateway), so forwarding would turn CHECKs that passed into failures.
    public func check(_ call: Invocation) throws {
        let store = try store(for: call)
        let stored = try storedForCheck(store, call.containerID)
        guard let about = runner.about(stored.type, for: call), ProjectInfo.isOurs(about: about) else {
            return call.log(
                "flannel: CHECK verified the stored delegate config only: delegate \"\(stored.type)\" "
                    + "is not from swift-cni-plugins, and the reference flannel runs no delegate CHECK")
        }
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
        try run(.status, delegate, call)
    }

    /// Replays the stored delegate config to the delegate's DEL and removes it only once that
    /// succeeded, so a failed DEL can be retried (the reference removes it regardless and leaks the IP).
    /// A missing or corrupt file is rebuilt from subnet.env so IPAM is still released (the reference
    /// skips the delegate); with nothing to rebuild from, DEL succeeds with a log line and never sticks.
    public func del(_ call: Invocation) throws {
        try NamespaceLock.hold(call)
        let store = try store(for: call)
        guard let delegate = try storedOrRebuilt(call, store) else { return }
        _ = try runner.run(delegate.type, .del, stdin: delegate.bytes, for: call)
        removeAfterDel(call, store)
    }

    /// Forwards GC to the delegate (config built from subnet.env, with the runtime's attachment lists)
    /// and then removes the files of containers that are no longer valid attachments.
    public func gc(_ call: Invocation) throws {
        let config = try FlannelConfig(parsing: call.config)
        var delegate = DelegateConfig.make(config, try SubnetEnv.load(config.subnetFile))
        for key in ["cni.dev/valid-attachments", "cni.dev/attachments"] {
            if let list = call.config.raw[key] { delegate[key] = list }
        }
        try run(.gc, delegate, call)
        guard let valid = call.config.validAttachments else {
            return call.log("flannel: GC without cni.dev/valid-attachments: keeping every stored delegate config")
        }
        try removeStale(DelegateStore(directory: config.dataDir), keeping: Set(valid.map(\.containerID)), call)
    }

    /// Runs a command that has no result (STATUS, GC) on a freshly built delegate config.
    private func run(_ command: Command, _ delegate: JSONObject, _ call: Invocation) throws(CNIError) {
        let type = DelegateConfig.type(of: delegate) ?? DelegateConfig.defaultType
        _ = try runner.run(type, command, stdin: JSONValue.object(delegate).bytes(), for: call)
    }

    /// The per-container store; only `dataDir` is read, so DEL works even when the rest is unusable.
    private func store(for call: Invocation) throws(FlannelError) -> DelegateStore {
        DelegateStore(
            directory: try FlannelError.parsing { () throws(ConfigError) in
                try FlannelConfig.dataDir(in: call.config.raw)
            })
    }

    private func storedForCheck(
        _ store: DelegateStore, _ containerID: String
    ) throws(FlannelError) -> DelegateStore.Stored {
        switch store.load(containerID) {
        case .found(let stored): return stored
        case .missing: throw .storedConfigUnreadable(path: store.path(for: containerID), .noSuchFileOrDirectory)
        case .corrupt(let reason): throw .storedConfigCorrupt(path: store.path(for: containerID), reason: reason)
        }
    }

    /// The stored config, or one rebuilt from the current config and subnet.env; nil when neither exists.
    private func storedOrRebuilt(_ call: Invocation, _ store: DelegateStore) throws -> DelegateStore.Stored? {
        let path = store.path(for: call.containerID)
        switch store.load(call.containerID) {
        case .found(let stored): return stored
        case .missing: call.log("flannel: no stored delegate config at \(path); rebuilding it from subnet.env")
        case .corrupt(let reason):
            call.log("flannel: ignoring corrupt delegate config \(path) (\(reason)); rebuilding it from subnet.env")
        }
        do {
            let config = try FlannelConfig(parsing: call.config)
            let delegate = DelegateConfig.make(config, try SubnetEnv.load(config.subnetFile))
            return DelegateStore.Stored(
                type: DelegateConfig.type(of: delegate) ?? DelegateConfig.defaultType,
                object: delegate, bytes: JSONValue.object(delegate).bytes())
        } catch {
            call.log("flannel: DEL has nothing to replay (\(error)); treating container \(call.containerID) as gone")
            removeAfterDel(call, store)  // a corrupt file could never be replayed
            return nil
        }
    }

    /// DEL must not fail once the delegate has released everything: a leftover file only costs a
    /// harmless replay on a later DEL, so a failed removal is logged, not reported. Temporary files of this
    /// container left by an ADD killed before its rename go too.
    private func removeAfterDel(_ call: Invocation, _ store: DelegateStore) {
        do { try store.remove(call.containerID) } catch { call.log("flannel: \(error)") }
        do {
            for name in try store.removeLeftovers(of: call.containerID) {
                call.log("flannel: removed \(store.path(for: name)), left by an interrupted ADD")
            }
        } catch {
            call.log("flannel: \(error)")
        }
    }

    /// Removes every stored file whose container is not in `valid` (a temporary file counts as its container's: one
    /// of a valid container may be an ADD under way); continues past a failed removal (GC must) and then reports
    /// the first.
    private func removeStale(
        _ store: DelegateStore, keeping valid: Set<String>, _ call: Invocation
    ) throws(FlannelError) {
        var failures: [FlannelError] = []
        for name in try store.entries() where !valid.contains(DelegateStore.owner(ofFileNamed: name)) {
            do {
                try store.remove(name)
                call.log("flannel: GC removed the delegate config of stale container \(name)")
            } catch {
                failures.append(error)
            }
        }
        if let first = failures.first { throw first }
    }
}
