public import Addressing
import Posix

/// Reboot awareness. No network namespace survives a reboot, so reservations made before the
/// current boot belong to containers that are gone, and leak forever if the runtime never DELs
/// them (the top host-local complaint). The network directory keeps a marker, `boot_id`, holding
/// `boot_id <uuid>`. When a call finds a different (or no) boot id there, it releases, under the
/// lock and once per boot, every reservation whose file is older than the boot time, then records
/// the running boot. File times alone are never used to decide, and never on a normal call.
///
/// The marker cannot be mistaken for a reservation by Go host-local: its name is not an IP, and its
/// content contains a space, which neither a container ID nor `<id>\r\n<ifname>` can equal.
extension FileStore {
    public static let bootMarkerName = "boot_id"
    static let bootMarkerPrefix = "boot_id "

    /// The boot id recorded in the marker, or nil when there is none.
    public func recordedBootID() -> String? {
        guard let bytes = try? FileSystem.readFile(path(Self.bootMarkerName), upTo: 256) else {
            return nil  // no marker yet (or unreadable): treated as "from another boot"
        }
        return Self.bootID(parsingMarker: bytes)
    }

    /// The boot id in the contents of a `boot_id` marker (pure), or nil when it is not one.
    public static func bootID(parsingMarker bytes: [UInt8]) -> String? {
        let text = String(decoding: Reservation.trimmed(bytes[...]), as: UTF8.self)
        guard text.hasPrefix(Self.bootMarkerPrefix) else { return nil }
        return String(text.dropFirst(Self.bootMarkerPrefix.count))
    }

    /// Releases reservations older than the running boot when the marker names another boot.
    /// Returns the released addresses (empty on the usual path: one small read and a compare).
    @discardableResult
    public mutating func reclaimIfRebooted(_ boot: BootSource) throws(IPAMError) -> [IPAddress] {
        guard let current = boot.bootID(), recordedBootID() != current else { return [] }
        guard let bootTime = boot.bootTime() else { return [] }  // cannot tell old from new: keep all
        let released = try releaseReservations(olderThan: bootTime)
        let marker = path(Self.bootMarkerName)
        try IPAMError.io("write", marker) { () throws(Errno) in
            try FileSystem.writeFileAtomically(marker, Array((Self.bootMarkerPrefix + current + "\n").utf8))
        }
        return released
    }

    private func releaseReservations(olderThan bootTime: Int) throws(IPAMError) -> [IPAddress] {
        var released: [IPAddress] = []
        for reservation in try reservations() {
            let file = path(reservation.address.description)
            guard let modified = try? FileSystem.modificationTime(file), modified < bootTime else {
                continue  // gone meanwhile, or made during this boot
            }
            try release(reservation.address)
            released.append(reservation.address)
        }
        return released
    }
}
