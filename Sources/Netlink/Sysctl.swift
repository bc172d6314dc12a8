import Posix

#if canImport(Glibc)
import Glibc
#endif

/// Kernel parameters under `/proc/sys`, addressed by keys such as `"net/ipv4/ip_forward"` or
/// `"net/ipv6/conf/eth0/accept_ra"`. Network keys apply to the network namespace of the calling thread
/// (inside `NetNS.run`, the target namespace).
public enum Sysctl {
    /// The current value with trailing whitespace removed. The corresponding C calls are `open` and `read` on
    /// `/proc/sys/<key>`.
    public static func value(_ key: String) throws(NetlinkError) -> String {
        let path = try self.path(key)
        do {
            return trimmingTrailingWhitespace(try FileSystem.readText(path))
        } catch {
            throw .sysctl(error, key: key)
        }
    }

    /// Writes `value`. The corresponding C calls are `open` and `write` on `/proc/sys/<key>`.
    public static func set(_ key: String, to value: String) throws(NetlinkError) {
        let path = try self.path(key)
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .sysctl(Errno.current, key: key) }
        defer { _ = close(fd) }  // procfs reports write errors from write(), not close()
        do {
            try FileSystem.writeAll(fd, Array(value.utf8))
        } catch {
            throw .sysctl(error, key: key)
        }
    }

    /// `/proc/sys/<key>`; dotted keys (`net.ipv4.ip_forward`) are not accepted because interface names may
    /// contain dots.
    /// Byte loops rather than `split`/`reversed`: those generic adaptors made the runtime build type metadata and
    /// search every protocol conformance in the binary on first use (~600 000 instructions per bridge ADD).
    private static func path(_ key: String) throws(NetlinkError) -> String {
        // A component may not be empty, "." or "..".
        func isValid(length: Int, dots: Int) -> Bool { length > 0 && !(dots == length && length <= 2) }
        var (length, dots) = (0, 0)
        for byte in key.utf8 {
            if byte == UInt8(ascii: "/") {
                guard isValid(length: length, dots: dots) else { throw .invalidArgument("sysctl key \"\(key)\"") }
                (length, dots) = (0, 0)
            } else {
                length += 1
                if byte == UInt8(ascii: ".") { dots += 1 }
            }
        }
        guard isValid(length: length, dots: dots) else { throw .invalidArgument("sysctl key \"\(key)\"") }
        return "/proc/sys/" + key
    }

    /// `text` without trailing newlines and spaces.
    static func trimmingTrailingWhitespace(_ text: String) -> String {
        let bytes = text.utf8
        var end = bytes.endIndex
        while end > bytes.startIndex {
            let before = bytes.index(before: end)
            guard bytes[before] == UInt8(ascii: "\n") || bytes[before] == UInt8(ascii: " ") else { break }
            end = before
        }
        return String(text[..<end])
    }
}
