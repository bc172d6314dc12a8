import CPosix

#if canImport(Glibc)
import Glibc
#endif

/// File operations the plugins need, as thin typed wrappers over the POSIX calls.
public enum FileSystem {
    /// Reads a whole file. The corresponding C functions are `open` and `read`. O_NONBLOCK: a FIFO planted under
    /// `path` reads as empty instead of blocking the caller (no effect on regular files).
    public static func readFile(_ path: String) throws(Errno) -> [UInt8] {
        let fd = try retryingOnInterrupt { open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK) }
        defer { _ = close(fd) }  // read-only descriptor: nothing to lose on close
        return try readAll(fd)
    }

    /// Reads at most `limit` bytes of a file with one buffer of that size (small records, such as
    /// host-local's reservation files, without a 64 KiB buffer per file).
    public static func readFile(_ path: String, upTo limit: Int) throws(Errno) -> [UInt8] {
        let fd = try retryingOnInterrupt { open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK) }
        defer { _ = close(fd) }  // read-only descriptor: nothing to lose on close
        return try readPrefix(of: fd, upTo: limit)
    }

    /// Reads at most `limit` bytes from a descriptor, until that many or end of file. With `shortReadIsEnd` (for a
    /// regular file, where the kernel returns less than asked only at its end) a short read ends it without the
    /// extra read that would return 0: host-local reads every reservation file of its directory on each ADD.
    static func readPrefix(of fd: Int32, upTo limit: Int, shortReadIsEnd: Bool = false) throws(Errno) -> [UInt8] {
        var failure: Errno?
        // Uninitialized storage: zeroing a buffer per file showed up in host-local's directory scan.
        let bytes = [UInt8](unsafeUninitializedCapacity: limit) { buffer, count in
            count = 0
            while count < limit {
                let n = read(fd, buffer.baseAddress! + count, limit - count)
                if n > 0, shortReadIsEnd, n < limit - count {
                    count += n
                    break
                }
                if n > 0 {
                    count += n
                    continue
                }
                if n < 0, errno == EINTR { continue }
                if n < 0 { failure = Errno.current }
                break
            }
        }
        if let failure { throw failure }
        return bytes
    }

    /// Reads a whole file as UTF-8 text (invalid sequences repaired).
    public static func readText(_ path: String) throws(Errno) -> String {
        String(decoding: try readFile(path), as: UTF8.self)
    }

    /// Reads a descriptor to its end.
    public static func readAll(_ fd: Int32) throws(Errno) -> [UInt8] { try readAll(fd, upTo: Int.max) }

    /// Reads a descriptor to its end, but never more than `limit` bytes: a caller that must refuse input longer
    /// than some bound passes the bound + 1 and compares the count, without reading (or buffering) the rest.
    public static func readAll(_ fd: Int32, upTo limit: Int) throws(Errno) -> [UInt8] {
        var out: [UInt8] = []
        // Not zero-filled: the kernel writes only what it reads, so a config of a few KiB touches one page of the
        // buffer instead of faulting in all sixteen.
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 16)
        defer { chunk.deallocate() }
        while out.count < limit {
            let wanted = min(chunk.count, limit - out.count)
            let n = try retryingOnInterrupt { read(fd, chunk.baseAddress, wanted) }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    /// What sits between the target's name and mkostemp's six characters in a temporary file's name.
    public static let temporaryMarker = ".tmp."

    /// For the name of a temporary file made next to a target (`.<name>.tmp.XXXXXX`), the target's name; nil for any
    /// other name. A process killed between creating and renaming leaves such a file behind.
    public static func temporaryTarget(ofFileNamed file: String) -> String? {
        let bytes = Array(file.utf8)
        guard let markerStart = temporaryMarkerStart(bytes), markerStart > 1, bytes[0] == UInt8(ascii: ".") else {
            return nil
        }
        return String(decoding: bytes[1..<markerStart], as: UTF8.self)
    }

    /// Whether `file` is a temporary file of ours: `.<name>.tmp.XXXXXX`, or `<name>.tmp.XXXXXX` as they were named
    /// before they were hidden. Checked on bytes: host-local runs it for every file of its directory on each ADD.
    public static func isTemporaryFileName(_ file: String) -> Bool { temporaryMarkerStart(Array(file.utf8)) != nil }

    /// Where `.tmp.` starts when `bytes` ends in it plus mkostemp's six characters.
    private static func temporaryMarkerStart(_ bytes: [UInt8]) -> Int? {
        let marker = Array(temporaryMarker.utf8)
        guard bytes.count > marker.count + 6 else { return nil }
        let start = bytes.count - 6 - marker.count
        return bytes[start..<(bytes.count - 6)].elementsEqual(marker) ? start : nil
    }

    /// Writes all bytes to a descriptor.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(Errno) {
        var offset = 0
        while offset < bytes.count {
            let n = try retryingOnInterrupt {
                bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            }
            offset += n
        }
    }

    /// A new, empty `.<name>.tmp.XXXXXX` next to `path` (mkostemp), hidden so that it can never be taken for the
    /// entry it stands in for (a container ID or an address never starts with a dot); `temporaryTarget` maps it
    /// back. O_CLOEXEC at creation: a child spawned meanwhile by another thread must not inherit a writable
    /// descriptor (exec of that file would then fail with ETXTBSY).
    private static func createTemporary(near path: String) throws(Errno) -> (fd: Int32, path: String) {
        // Built on bytes: `+` on a Substring makes the runtime search a conformance (docs/DEVELOPING.md).
        var bytes = Array(path.utf8)
        bytes.insert(UInt8(ascii: "."), at: (bytes.lastIndex(of: UInt8(ascii: "/")) ?? -1) + 1)
        bytes.append(contentsOf: Array((temporaryMarker + "XXXXXX").utf8))
        var template = bytes.map { CChar(bitPattern: $0) } + [0]
        let fd = try retryingOnInterrupt {
            template.withUnsafeMutableBufferPointer { mkostemp($0.baseAddress!, O_CLOEXEC) }
        }
        return (fd, String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// Writes `bytes` to a new temporary file next to `path` and (if `durable`) fsyncs it; returns the temp path.
    private static func writeTemporary(
        near path: String, _ bytes: [UInt8], mode: UInt32, durable: Bool = true
    ) throws(Errno) -> String {
        let (fd, tempPath) = try createTemporary(near: path)
        do throws(Errno) {
            defer { _ = close(fd) }  // fsync below already reported any write-back error
            guard fchmod(fd, mode) == 0 else { throw Errno.current }
            try writeAll(fd, bytes)
            guard !durable || fsync(fd) == 0 else { throw Errno.current }
        } catch {
            _ = unlink(tempPath)  // best effort: the error being thrown is the one that matters
            throw error
        }
        return tempPath
    }

    /// `writeFileAtomically` in two halves, so that the fsyncs of the file and of its directory overlap with other
    /// work. `init` writes the content to a temporary file next to `path` and starts its
    /// fsync on a helper thread; `commit()` waits for that fsync and renames the file into place; the same helper then
    /// fsyncs the directory while the caller goes on, and `waitUntilDurable()` waits for it. Dropped without
    /// `commit()`, the temporary file is removed.
    public final class AtomicWrite: @unchecked Sendable {
        public let path: String
        private let tempPath: String
        private let fd: Int32
        /// helper -> caller: the file's fsync result (0 or errno).
        private let synced = Mailbox<Int32>()
        /// caller -> helper: true once renamed (sync the directory), false when abandoned.
        private let renamed = Mailbox<Bool>()
        private let helper: BackgroundTask<Void>
        private var state = State.writing

        private enum State { case writing, committed, finished }

        public init(_ path: String, _ bytes: [UInt8], mode: UInt32 = 0o600) throws(Errno) {
            let (fd, tempPath) = try createTemporary(near: path)
            do throws(Errno) {
                guard fchmod(fd, mode) == 0 else { throw Errno.current }
                try writeAll(fd, bytes)
            } catch {
                _ = close(fd)
                _ = unlink(tempPath)
                throw error
            }
            (self.path, self.tempPath, self.fd) = (path, tempPath, fd)
            let (synced, renamed) = (synced, renamed)
            helper = BackgroundTask {
                synced.put(fsync(fd) == 0 ? 0 : errno)
                if renamed.take() == true { syncDirectory(of: path) }
            }
        }

        /// The content durable, then in place under `path`. The directory entry becomes durable in the background
        /// (`waitUntilDurable`): until then a power loss may lose the name, never leave a partial file under it.
        public func commit() throws(Errno) {
            precondition(state == .writing, "AtomicWrite committed twice")
            let syncError = synced.take() ?? EIO
            _ = close(fd)
            guard syncError == 0 else {
                abandon()
                throw Errno(syncError)
            }
            guard rename(tempPath, path) == 0 else {
                let error = Errno.current
                abandon()
                throw error
            }
            state = .committed
            renamed.put(true)
        }

        /// Waits for the directory fsync that `commit()` started (a durability hint, like `syncDirectory`).
        public func waitUntilDurable() {
            guard state == .committed else { return }
            state = .finished
            _ = try? helper.wait()
        }

        private func abandon() {
            state = .finished
            renamed.put(false)
            _ = try? helper.wait()
            _ = unlink(tempPath)
        }

        deinit {
            switch state {
            case .writing:
                _ = synced.take()  // the helper uses the descriptor until its fsync returns
                _ = close(fd)
                abandon()
            case .committed: waitUntilDurable()
            case .finished: break
            }
        }
    }

    /// Replaces `path` atomically: temp file, fsync, rename, fsync of the directory.
    /// A reader sees the old file or the new one, never a partial write. With `durable: false` the
    /// two fsyncs are skipped: still atomic for readers and against a killed process, but a power
    /// loss may keep the old content (fine for hints such as host-local's `last_reserved_ip`).
    public static func writeFileAtomically(
        _ path: String, _ bytes: [UInt8], mode: UInt32 = 0o600, durable: Bool = true
    ) throws(Errno) {
        let tempPath = try writeTemporary(near: path, bytes, mode: mode, durable: durable)
        guard rename(tempPath, path) == 0 else {
            let error = Errno.current
            _ = unlink(tempPath)  // best effort cleanup of our own temp file
            throw error
        }
        if durable { syncDirectory(of: path) }
    }

    /// Publishes `bytes` at `path` only if nothing exists there, never half-written, even if the process is
    /// killed: the content goes into an unnamed file (O_TMPFILE) in the same directory, which is then linked into
    /// place (link fails with EEXIST like O_EXCL); a kill before that leaves nothing at all. File systems without
    /// O_TMPFILE (or `unnamed: false`) get a named temporary file that is linked and unlinked. With
    /// `durable: false` the fsyncs are skipped: still never half-written for readers or after a kill, but after a
    /// power loss the file may be missing or (on some file systems) empty.
    public static func createExclusively(
        _ path: String, _ bytes: [UInt8], mode: UInt32 = 0o600, durable: Bool = true, unnamed: Bool = true
    ) throws(Errno) {
        if unnamed, try publishUnnamed(at: path, bytes, mode: mode, durable: durable) { return }
        let tempPath = try writeTemporary(near: path, bytes, mode: mode, durable: durable)
        defer { _ = unlink(tempPath) }  // the name under `path` (if linked) keeps the inode
        guard link(tempPath, path) == 0 else { throw Errno.current }
        if durable { syncDirectory(of: path) }
    }

    /// The O_TMPFILE way of `createExclusively`; false when this file system cannot do it or the process lacks
    /// CAP_DAC_READ_SEARCH, which `linkat(AT_EMPTY_PATH)` needs (root has it). The corresponding C calls are
    /// `open(dir, O_TMPFILE)`, `write` and `linkat(fd, "", ..., AT_EMPTY_PATH)`. (Linking `/proc/self/fd/<fd>`
    /// instead needs no capability, but formatting the number pulls in code that raised host-local's peak RSS.)
    private static func publishUnnamed(at path: String, _ bytes: [UInt8], mode: UInt32, durable: Bool) throws(Errno)
        -> Bool
    {
        let fd = open(directoryName(path), cni_o_tmpfile() | O_WRONLY | O_CLOEXEC, mode)
        guard fd >= 0 else { return false }  // EOPNOTSUPP, EISDIR or EINVAL: no O_TMPFILE here
        defer { _ = close(fd) }  // fsync below already reported any write-back error
        guard fchmod(fd, mode) == 0 else { throw Errno.current }
        try writeAll(fd, bytes)
        guard !durable || fsync(fd) == 0 else { throw Errno.current }
        guard linkat(fd, "", AT_FDCWD, path, cni_at_empty_path()) == 0 else {
            let error = Errno.current
            if error == .fileExists { throw error }
            return false  // no CAP_DAC_READ_SEARCH, or a file system that refuses: the named temporary file works
        }
        if durable { syncDirectory(of: path) }
        return true
    }

    /// Overwrites `path` (created if missing) with `bytes` in place: written at offset 0, then cut to that length.
    /// Not atomic (neither is Go's `os.WriteFile`): after a kill between the two steps the file may hold the new
    /// bytes followed by the tail of a longer old value. Only for hints whose readers validate what they read, such
    /// as host-local's `last_reserved_ip`. Replacing a file by rename, or truncating it to zero first, makes ext4
    /// flush the new data at once (its `auto_da_alloc` safeguard), which an in-place write avoids.
    ///
    /// Never writes through anything but a plain file of its own: a symlink (O_NOFOLLOW), a FIFO or device
    /// (O_NONBLOCK keeps a FIFO without reader from blocking), or a file with other hard links planted under `path`
    /// is replaced by a new regular file (temporary file + rename, as `writeFileAtomically` without fsyncs), so
    /// whatever it pointed to stays untouched.
    public static func overwrite(_ path: String, _ bytes: [UInt8], mode: UInt32 = 0o600) throws(Errno) {
        let fd: Int32
        do {
            fd = try retryingOnInterrupt { open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, mode) }
        } catch let error where error == .tooManySymbolicLinks || error == .noSuchAddress {
            return try writeFileAtomically(path, bytes, mode: mode, durable: false)  // a symlink, or a FIFO
        }
        guard isSoleRegularFile(fd) else {
            _ = close(fd)  // opened for writing, nothing written
            return try writeFileAtomically(path, bytes, mode: mode, durable: false)
        }
        defer { _ = close(fd) }  // nothing buffered: write errors were reported by pwrite
        var offset = 0
        while offset < bytes.count {
            let n = try retryingOnInterrupt {
                bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + offset, $0.count - offset, off_t(offset)) }
            }
            offset += n
        }
        guard ftruncate(fd, off_t(bytes.count)) == 0 else { throw Errno.current }
    }

    /// Whether `fd` is a regular file with no other name (`fstat`: S_IFREG, one link).
    private static func isSoleRegularFile(_ fd: Int32) -> Bool {
        var st = stat()
        return fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG && st.st_nlink == 1
    }

    /// fsync of the directory holding `path`, so a rename or link survives a crash.
    public static func syncDirectory(of path: String) {
        let dir = directoryName(path)
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            _ = fsync(fd)  // durability hint only; the publish itself has already succeeded
            _ = close(fd)
        }
    }

    /// Removes a file; returns false if it did not exist.
    @discardableResult
    public static func removeFile(_ path: String) throws(Errno) -> Bool {
        if unlink(path) == 0 { return true }
        let error = Errno.current
        if error == .noSuchFileOrDirectory { return false }
        throw error
    }

    /// Creates a directory and any missing parents (`mkdir -p`).
    public static func makeDirectories(_ path: String, mode: UInt32 = 0o755) throws(Errno) {
        if isDirectory(path) { return }
        let parent = directoryName(path)
        if parent != path, !parent.isEmpty { try makeDirectories(parent, mode: mode) }
        if mkdir(path, mode) != 0 {
            let error = Errno.current
            if error == .fileExists, isDirectory(path) { return }
            throw error
        }
    }

    /// Names in a directory, without `.` and `..`.
    public static func listDirectory(_ path: String) throws(Errno) -> [String] {
        try Directory(path: path).names()
    }

    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    public static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// Modification time in seconds since the epoch.
    public static func modificationTime(_ path: String) throws(Errno) -> Int {
        var st = stat()
        guard stat(path, &st) == 0 else { throw Errno.current }
        return Int(st.st_mtim.tv_sec)
    }

    /// Everything before the last `/` (`.` when there is none).
    public static func directoryName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

extension FileSystem {
    /// Device and inode of a path (following symlinks), to tell whether two paths name the same object.
    public static func identity(_ path: String) -> (device: UInt64, inode: UInt64)? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return (UInt64(st.st_dev), UInt64(st.st_ino))
    }
}
