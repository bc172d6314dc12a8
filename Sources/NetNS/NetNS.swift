import Posix

#if canImport(Glibc)
import Glibc
#endif

/// An open network namespace: owns a descriptor for a path such as `/run/netns/<name>` or `/proc/<pid>/ns/net`,
/// closed on deinit.
///
/// `run` executes code in the namespace on a fresh thread; the calling thread never changes namespace.
public struct NetNS: ~Copyable {
    /// The open descriptor (O_RDONLY | O_CLOEXEC), valid while `self` lives. Usable as IFLA_NET_NS_FD.
    public let fd: Int32
    /// The path it was opened from.
    public let path: String

    /// Opens a network namespace. The corresponding C calls are `open` and `ioctl(fd, NS_GET_NSTYPE)`, which
    /// answers CLONE_NEWNET only for a network namespace (nsfs) descriptor. Throws `.notFound` for a missing path and `.notANamespace` for anything
    /// that is not a network namespace.
    public static func open(path: String) throws(NetNSError) -> NetNS {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let error = Errno.current
            throw error == .noSuchFileOrDirectory ? .notFound(path: path) : .openFailed(error, path: path)
        }
        guard isNetworkNamespace(fd) else {
            _ = close(fd)  // not ours to keep
            throw .notANamespace(path: path)
        }
        return NetNS(fd: fd, path: path)
    }

    /// The calling thread's network namespace (`/proc/thread-self/ns/net`).
    public static func current() throws(NetNSError) -> NetNS {
        try open(path: "/proc/thread-self/ns/net")
    }

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit {
        _ = close(fd)  // read-only namespace descriptor: nothing is lost if close fails
    }

    /// The namespace's inode number; two handles refer to the same namespace when device and inode match.
    /// The corresponding C call is `fstat`.
    public var inode: UInt64 {
        var st = stat()
        return fstat(fd, &st) == 0 ? UInt64(st.st_ino) : 0
    }

    /// Whether both handles refer to the same namespace (same nsfs device and inode, from `fstat`).
    public func isSame(as other: borrowing NetNS) -> Bool {
        var a = stat()
        var b = stat()
        guard fstat(fd, &a) == 0, fstat(other.fd, &b) == 0 else { return false }
        return a.st_dev == b.st_dev && a.st_ino == b.st_ino
    }
}
