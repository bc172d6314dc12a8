#if canImport(Glibc)
import Glibc
#endif

/// A directory opened once, so that the files in it are listed and read without walking its path again for
/// each one (`openat`): host-local reads every reservation file on every ADD.
public final class Directory {
    private let fd: Int32

    /// Opens `path` (O_RDONLY | O_DIRECTORY | O_CLOEXEC).
    public init(path: String) throws(Errno) {
        fd = try retryingOnInterrupt { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
    }

    deinit { _ = close(fd) }  // read-only descriptor: nothing to lose on close

    /// Names in the directory, without `.` and `..`. The corresponding C calls are `dup`, `fdopendir`, `readdir`.
    public func names() throws(Errno) -> [String] {
        let copy = dup(fd)  // closedir closes the descriptor it was given
        guard copy >= 0 else { throw Errno.current }
        guard let dir = fdopendir(copy) else {
            let error = Errno.current
            _ = close(copy)
            throw error
        }
        defer { closedir(dir) }
        rewinddir(dir)  // the copy shares the file offset with `fd`: start from the top on every call
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    /// Reads at most `limit` bytes of the regular file `name` in this directory (see `FileSystem.readFile(_:upTo:)`);
    /// one read when the file is shorter. O_NONBLOCK: a FIFO planted under that name must not hang the caller.
    public func readFile(_ name: String, upTo limit: Int) throws(Errno) -> [UInt8] {
        let file = try retryingOnInterrupt { openat(fd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK) }
        defer { _ = close(file) }  // read-only descriptor: nothing to lose on close
        return try FileSystem.readPrefix(of: file, upTo: limit, shortReadIsEnd: true)
    }
}
