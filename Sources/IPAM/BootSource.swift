import Posix

/// Where the running boot's identity and start time are read: the kernel's random boot id
/// (`/proc/sys/kernel/random/boot_id`) and `btime` in `/proc/stat`. Tests point these at files.
public struct BootSource: Sendable, Equatable {
    public var bootIDPath: String
    public var statPath: String

    public init(bootIDPath: String = "/proc/sys/kernel/random/boot_id", statPath: String = "/proc/stat") {
        self.bootIDPath = bootIDPath
        self.statPath = statPath
    }

    /// The boot id, or nil when it cannot be read (reclaim is then skipped).
    public func bootID() -> String? {
        guard let bytes = try? FileSystem.readFile(bootIDPath, upTo: 128) else { return nil }  // nil = unknown boot
        let text = String(decoding: Reservation.trimmed(bytes[...]), as: UTF8.self)
        return text.isEmpty ? nil : text
    }

    /// Boot time in seconds since the epoch, or nil when it cannot be read.
    public func bootTime() -> Int? {
        guard let text = try? FileSystem.readText(statPath) else { return nil }  // nil = unknown: no reclaim
        return Self.bootTime(procStat: text)
    }

    /// The `btime <seconds>` line of `/proc/stat` (pure).
    public static func bootTime(procStat text: String) -> Int? {
        for line in ASCII.split(text, on: UInt8(ascii: "\n")) where line.hasPrefix("btime ") {
            return Int(ASCII.dropping(leading: UInt8(ascii: " "), from: line.dropFirst(6)))
        }
        return nil
    }
}
