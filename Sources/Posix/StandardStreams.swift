#if canImport(Glibc)
import Glibc
#endif

/// The process's standard streams, by descriptor (Swift 6 rejects the C `stdout` globals).
public enum StandardStreams {
    public static func readStandardInput() throws(Errno) -> [UInt8] { try FileSystem.readAll(0) }

    /// At most `limit` bytes of stdin (see `FileSystem.readAll(_:upTo:)`).
    public static func readStandardInput(upTo limit: Int) throws(Errno) -> [UInt8] {
        try FileSystem.readAll(0, upTo: limit)
    }

    /// Best-effort write: a closed stdout/stderr must not turn into a second failure.
    public static func write(_ bytes: [UInt8], to fd: Int32) {
        do { try FileSystem.writeAll(fd, bytes) } catch {
            // Nothing sensible to do: the reader went away.
        }
    }

    public static func writeStandardOutput(_ text: String) { write(Array(text.utf8), to: 1) }
    public static func writeStandardError(_ text: String) { write(Array(text.utf8), to: 2) }
}
