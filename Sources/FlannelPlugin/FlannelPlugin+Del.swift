public import CNI
import JSON

extension FlannelPlugin {
    /// Replays the stored delegate config to the delegate's DEL and removes it only once that
    /// succeeded, so a failed DEL can be retried (the reference removes it regardless and leaks the IP).
    /// A missing or corrupt file is rebuilt from subnet.env so IPAM is still released (the reference
    /// skips the delegate); with nothing to rebuild from, DEL succeeds with a log line and never sticks.
    public func del(_ call: Invocation) throws {
        let store = DelegateStore(directory: try FlannelError.parsing { () throws(ConfigError) in
            try FlannelConfig.dataDir(in: call.config.raw)
        })
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
        _ = try runner.run(DelegateConfig.type(of: delegate) ?? DelegateConfig.defaultType, .gc,
                           stdin: JSONValue.object(delegate).bytes(), for: call)
        guard let valid = call.config.validAttachments else {
            return call.log("flannel: GC without cni.dev/valid-attachments: keeping every stored delegate config")
        }
        try removeStale(DelegateStore(directory: config.dataDir), keeping: Set(valid.map(\.containerID)), call)
    }

    /// The stored config, or one rebuilt from the current config and subnet.env; nil when neither exists.
    private func storedOrRebuilt(_ call: Invocation, _ store: DelegateStore) throws -> DelegateStore.Stored? {
        let path = store.path(for: call.containerID)
        switch store.load(call.containerID) {
        case .found(let stored): return stored
        case .missing: call.log("flannel: no stored delegate config at \(path); rebuilding it from subnet.env")
        case .corrupt(let reason): call.log("flannel: ignoring corrupt delegate config (\(reason)); rebuilding it from subnet.env")
        }
        do {
            let config = try FlannelConfig(parsing: call.config)
            let delegate = DelegateConfig.make(config, try SubnetEnv.load(config.subnetFile))
            return DelegateStore.Stored(type: DelegateConfig.type(of: delegate) ?? DelegateConfig.defaultType,
                                        object: delegate, bytes: JSONValue.object(delegate).bytes())
        } catch {
            call.log("flannel: DEL has nothing to replay (\(error)); treating container \(call.containerID) as gone")
            removeAfterDel(call, store)  // a corrupt file could never be replayed
            return nil
        }
    }

    /// DEL must not fail once the delegate has released everything: a leftover file only costs a
    /// harmless replay on a later DEL, so a failed removal is logged, not reported.
    private func removeAfterDel(_ call: Invocation, _ store: DelegateStore) {
        do { try store.remove(call.containerID) } catch { call.log("flannel: \(error)") }
    }

    /// Removes every stored file whose container is not in `valid`; reports all failures at once.
    private func removeStale(_ store: DelegateStore, keeping valid: Set<String>, _ call: Invocation) throws(FlannelError) {
        var failures: [FlannelError] = []
        for name in try store.entries() where !valid.contains(name) {
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
