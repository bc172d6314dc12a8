import Posix

#if canImport(Glibc)
import Glibc
#endif

/// Kernel parameters under `/proc/sys`, addressed by keys such as `"net/ipv4/ip_forward"` or
/// `"net/ipv6/conf/eth0/accept_ra"`. Network keys apply to the network namespace of the calling thread
/// (inside `NetNS.run`, the target namespace).
public enum Sysctl {
    /// The current value with trailing ASCII whitespace removed. The corresponding C calls are `open` and `read` on
    /// `/proc/sys/<key>`.
    public static func value(_ key: String) throws(NetlinkError) -> String {
        let path = try self.path(key)
        do {
            return String(ASCII.trimmingTrailingWhitespace(try FileSystem.readText(path)[...]))
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
    private static func path(_ key: String) throws(NetlinkError) -> String {
        for component in ASCII.split(key, on: UInt8(ascii: "/"))
        where component.isEmpty || component == "."
            || component == ".."
        {
            throw .invalidArgument("sysctl key \"\(key)\"")
        }
        return "/proc/sys/" + key
    }
}
