import Posix

/// How a `FileStore` session is opened.
public struct FileStoreOptions: Sendable {
    /// How long to wait for `<dir>/lock` before failing with `.lockTimeout`.
    public var lockTimeoutMilliseconds: Int
    /// Where the boot identity comes from; nil turns reboot reclaim off.
    public var reclaimAfterReboot: BootSource?

    public init(lockTimeoutMilliseconds: Int = 60_000, reclaimAfterReboot: BootSource? = BootSource()) {
        self.lockTimeoutMilliseconds = lockTimeoutMilliseconds
        self.reclaimAfterReboot = reclaimAfterReboot
    }

    /// Whether reservation files are fsynced (file and directory) before the call returns.
    ///
    /// Only a power loss or kernel crash can lose unsynced writes, and either means a reboot, after
    /// which reboot reclaim releases every pre-boot reservation anyway. So with reclaim on, the two
    /// fsyncs (a large part of an ADD on ext4) buy nothing; with reclaim off they are kept. A killed
    /// process never leaves a half-written record either way (temp file + `link`).
    public var durable: Bool { reclaimAfterReboot == nil }
}

extension FileStore {
    /// Creates `<dataDir>/<network>` if needed, takes the lock Go host-local also takes
    /// (`flock` on `<dir>/lock`), reclaims reservations from before a reboot (once per boot, if
    /// enabled), then runs `body`. The lock is released when `body` returns or throws.
    public static func withLock<T>(
        dataDir: String, network: String, options: FileStoreOptions = FileStoreOptions(),
        _ body: (inout FileStore) throws(IPAMError) -> T
    ) throws(IPAMError) -> T {
        let directory = Self.directory(dataDir: dataDir, network: network)
        try IPAMError.io("create", directory) { () throws(Errno) in try FileSystem.makeDirectories(directory) }
        let lockPath = directory + "/" + lockFileName
        let lock: FileLock
        do {
            lock = try FileLock(path: lockPath, timeoutMilliseconds: options.lockTimeoutMilliseconds)
        } catch let error where error == .timedOut {
            throw .lockTimeout(path: lockPath)
        } catch {
            throw .io(error, operation: "lock", path: lockPath)
        }
        var store = FileStore(directory: directory, durable: options.durable)
        if let boot = options.reclaimAfterReboot { try store.reclaimIfRebooted(boot) }
        let result = try body(&store)
        _ = consume lock  // released here, after the last store operation
        return result
    }
}
