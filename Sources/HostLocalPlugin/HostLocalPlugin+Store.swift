import CNI
import IPAM
import Posix

extension HostLocalPlugin {
    /// Runs `body` on the network's `FileStore` with the lock held.
    @discardableResult
    func withStore<T>(
        _ config: HostLocalConfig, lockTimeoutMilliseconds: Int? = nil, _ body: (inout FileStore) throws(IPAMError) -> T
    ) throws(IPAMError) -> T {
        let options = FileStoreOptions(
            lockTimeoutMilliseconds: lockTimeoutMilliseconds ?? self.lockTimeoutMilliseconds,
            reclaimAfterReboot: config.reclaimAfterReboot ? boot : nil)
        return try FileStore.withLock(dataDir: config.dataDir, network: config.network, options: options, body)
    }

    /// STATUS: checks that the directory is usable and returns the exhausted range sets. Store
    /// failures become code 50, since they are exactly "cannot serve ADD". The lock wait is short:
    /// runtimes poll STATUS every few seconds.
    func usableRangeSets(_ config: HostLocalConfig) throws(CNIError) -> [Int] {
        do {
            return try withStore(config, lockTimeoutMilliseconds: 5_000) { (store) throws(IPAMError) in
                try store.probeWritable()
                return try config.allocator.exhaustedRangeSets(in: &store)
            }
        } catch {
            throw CNIError(
                .pluginNotAvailable, "host-local: data directory \(config.networkDirectory) is not usable: \(error)")
        }
    }
}
