public import Addressing
import Posix

/// The Go host-local on-disk layout, so both implementations can share a node:
///
/// ```
/// <dataDir>/<network>/            0755
///     10.244.1.2                  0600  "<containerID>\r\n<ifname>"  (legacy: "<containerID>")
///     last_reserved_ip.0          0600  "10.244.1.2"
///     lock                        flock(LOCK_EX) around every operation
///     boot_id                     "boot_id <uuid>\n"  (ours: reboot reclaim marker, see FileStore+Reboot)
/// ```
///
/// Reservations are published with `FileSystem.createExclusively` (an unnamed O_TMPFILE file linked into place), so
/// a record never exists half-written, even when the process is killed. Where O_TMPFILE is missing it uses temp
/// files named `.<name>.tmp.XXXXXX` (`<name>.tmp.XXXXXX` before): not an IP, so Go's `GetByID` ignores them, and
/// any left behind by a killed process are removed under the lock.
///
/// A `FileStore` only exists inside `FileStore.withLock`, while the lock is held.
public struct FileStore: AllocationStore {
    /// `<dataDir>/<network>`.
    public let directory: String
    /// Whether reservations are fsynced before they are published (see `FileStoreOptions.durable`).
    let durable: Bool

    public static let lockFileName = "lock"
    public static let lastReservedPrefix = "last_reserved_ip."
    /// Reservation records are small; anything longer than this cannot be an attachment record.
    static let recordSizeLimit = 4096

    init(directory: String, durable: Bool = true) {
        self.directory = directory
        self.durable = durable
    }

    /// The network's directory under `dataDir`.
    public static func directory(dataDir: String, network: String) -> String {
        (dataDir.hasSuffix("/") ? String(dataDir.dropLast()) : dataDir) + "/" + network
    }

    func path(_ name: String) -> String { directory + "/" + name }

    /// One pass over the directory: parses every file named by an IP address and deletes stale temp
    /// files (we hold the lock, so no writer of ours is mid-publish).
    public func reservations() throws(IPAMError) -> [Reservation] {
        let (dir, names) = try IPAMError.io("list", directory) { () throws(Errno) -> (Directory, [String]) in
            let dir = try Directory(path: directory)
            return (dir, try dir.names())
        }
        var found: [Reservation] = []
        for name in names {
            if let address = IPAddress(name) {
                // A file that vanished or cannot be read is skipped, as Go's walk does.
                if let record = try? dir.readFile(name, upTo: Self.recordSizeLimit) {
                    found.append(Reservation(address: address, record: record))
                }
            } else if FileSystem.isTemporaryFileName(name) {
                removeStaleTemporary(name)
            }
        }
        return found
    }

    public func reserve(_ address: IPAddress, for owner: Owner) throws(IPAMError) -> Bool {
        let target = path(address.description)
        do {
            try FileSystem.createExclusively(target, Reservation.record(for: owner), durable: durable)
            return true
        } catch let error where error == .fileExists {
            return false
        } catch {
            throw .io(error, operation: "reserve", path: target)
        }
    }

    public func release(_ address: IPAddress) throws(IPAMError) {
        let target = path(address.description)
        _ = try IPAMError.io("release", target) { () throws(Errno) in try FileSystem.removeFile(target) }
    }

    /// Unreadable or unparsable contents count as unknown, as in Go (round-robin just restarts).
    public func lastReserved(rangeSetIndex index: Int) -> IPAddress? {
        guard let bytes = try? FileSystem.readFile(path(Self.lastReservedPrefix + String(index)), upTo: 64) else {
            return nil  // missing or unreadable: no round-robin hint, like Go
        }
        return Self.lastReserved(parsing: bytes)
    }

    /// The contents of a `last_reserved_ip.<n>` file (pure): an address, surrounding whitespace ignored.
    public static func lastReserved(parsing bytes: [UInt8]) -> IPAddress? {
        IPAddress(String(decoding: Reservation.trimmed(bytes[...]), as: UTF8.self))
    }

    public func recordLastReserved(_ address: IPAddress, rangeSetIndex index: Int) throws(IPAMError) {
        let target = path(Self.lastReservedPrefix + String(index))
        try IPAMError.io("write", target) { () throws(Errno) in
            try FileSystem.overwrite(target, Array(address.description.utf8))
        }
    }

    /// Checks that the directory accepts new files (STATUS): publishes and removes a probe file.
    public func probeWritable() throws(IPAMError) {
        let probe = path("status_probe")
        try IPAMError.io("write", probe) { () throws(Errno) in
            try FileSystem.writeFileAtomically(probe, [], durable: false)
            try FileSystem.removeFile(probe)
        }
    }

    private func removeStaleTemporary(_ name: String) {
        do { try FileSystem.removeFile(path(name)) } catch {
            // Leaving it is harmless for us (not an IP name); the next call tries again.
        }
    }
}
