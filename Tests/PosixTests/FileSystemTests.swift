import Posix
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct FileSystemTests {
    private func mode(_ path: String) -> UInt32 {
        var st = stat()
        return stat(path, &st) == 0 ? UInt32(st.st_mode & 0o777) : 0
    }

    /// Both ways of publishing (O_TMPFILE + linkat, and the named temporary file used where O_TMPFILE is missing)
    /// give the exact bytes and mode, refuse a taken name without touching it, and leave no other name behind.
    @Test(arguments: [true, false])
    func createExclusivelyPublishesOnceAndLeavesNothingElse(unnamed: Bool) throws {
        let dir = try TemporaryDirectory("posix-create")
        let path = dir.path + "/10.0.0.2"
        try FileSystem.createExclusively(path, Array("alice\r\neth0".utf8), durable: false, unnamed: unnamed)
        #expect(try FileSystem.readFile(path) == Array("alice\r\neth0".utf8))
        #expect(mode(path) == 0o600)
        #expect(throws: Errno.fileExists) {
            try FileSystem.createExclusively(path, Array("bob\r\neth0".utf8), durable: true, unnamed: unnamed)
        }
        #expect(try FileSystem.readFile(path) == Array("alice\r\neth0".utf8))
        #expect(try FileSystem.listDirectory(dir.path) == ["10.0.0.2"])
    }

    @Test func createExclusivelyInAMissingDirectoryFails() throws {
        let dir = try TemporaryDirectory("posix-create")
        #expect(throws: Errno.noSuchFileOrDirectory) {
            try FileSystem.createExclusively(dir.path + "/missing/10.0.0.2", [1], durable: false)
        }
    }

    /// The two-phase write: nothing under the name until commit (only the temporary file), then exactly the bytes
    /// and mode, replacing an older file; dropped without commit, nothing at all is left; the directory fsync after
    /// commit is waited for explicitly or on drop.
    @Test func atomicWriteAppearsOnlyOnCommit() throws {
        let dir = try TemporaryDirectory("posix-atomic")
        let path = dir.path + "/c1"
        try FileSystem.writeFileAtomically(path, Array("old".utf8))
        let write = try FileSystem.AtomicWrite(path, Array("new".utf8), mode: 0o640)
        #expect(try FileSystem.readFile(path) == Array("old".utf8))
        let temporary = try #require(try FileSystem.listDirectory(dir.path).first { $0 != "c1" })
        #expect(temporary.hasPrefix(".c1.tmp.") && temporary.count == ".c1.tmp.".count + 6, "hidden, next to it")
        #expect(FileSystem.temporaryTarget(ofFileNamed: temporary) == "c1")
        try write.commit()
        #expect(try FileSystem.readFile(path) == Array("new".utf8) && mode(path) == 0o640)
        #expect(try FileSystem.listDirectory(dir.path) == ["c1"])
        write.waitUntilDurable()
        write.waitUntilDurable()  // once is enough; again is harmless

        do { _ = try FileSystem.AtomicWrite(dir.path + "/c2", Array("dropped".utf8)) }
        #expect(try FileSystem.listDirectory(dir.path) == ["c1"])
        // Committed and dropped without waiting: the directory fsync is still joined (no thread outlives it).
        do { try FileSystem.AtomicWrite(dir.path + "/c4", Array("kept".utf8)).commit() }
        #expect(try FileSystem.listDirectory(dir.path).sorted() == ["c1", "c4"])
        #expect(throws: Errno.noSuchFileOrDirectory) { _ = try FileSystem.AtomicWrite(dir.path + "/missing/c3", [1]) }
    }

    /// Only `.<name>.tmp.` plus six characters is a temporary file; the name between is the target's.
    @Test func temporaryTargetParsesOnlyTemporaryNames() {
        #expect(FileSystem.temporaryTarget(ofFileNamed: ".c1.tmp.AbCdEf") == "c1")
        #expect(FileSystem.temporaryTarget(ofFileNamed: ".a.b.tmp.x.tmp.AbCdEf") == "a.b.tmp.x")
        #expect(FileSystem.temporaryTarget(ofFileNamed: ".10.0.0.2.tmp.123456") == "10.0.0.2")
        for name in ["c1", "c1.tmp.AbCdEf", ".c1.tmp.AbCdE", ".c1.tmp.AbCdEfG", "..tmp.AbCdEf", ".tmp.AbCdEf", ""] {
            #expect(FileSystem.temporaryTarget(ofFileNamed: name) == nil, "\(name)")
        }
        // Temporary files of ours, hidden or named as before they were hidden; nothing else.
        for name in [".c1.tmp.AbCdEf", "10.0.0.2.tmp.AbC123"] {
            #expect(FileSystem.isTemporaryFileName(name), "\(name)")
        }
        for name in ["10.0.0.2", "c1", ".c1.tmp.AbCdE", "last_reserved_ip.0", ".tmp.AbCdE"] {
            #expect(!FileSystem.isTemporaryFileName(name), "\(name)")
        }
    }

    /// In place: created when missing, and a shorter value leaves no tail of a longer one.
    @Test func overwriteCreatesAndCutsToLength() throws {
        let dir = try TemporaryDirectory("posix-overwrite")
        let path = dir.path + "/last_reserved_ip.0"
        try FileSystem.overwrite(path, Array("10.0.0.100".utf8))
        #expect(try FileSystem.readText(path) == "10.0.0.100")
        #expect(mode(path) == 0o600)
        try FileSystem.overwrite(path, Array("10.0.0.9".utf8))
        #expect(try FileSystem.readText(path) == "10.0.0.9")
        try FileSystem.overwrite(path, Array("fd00::ffff:ffff".utf8))
        #expect(try FileSystem.readText(path) == "fd00::ffff:ffff")
        try FileSystem.overwrite(path, [])
        #expect(try FileSystem.readFile(path).isEmpty)
        #expect(try FileSystem.listDirectory(dir.path) == ["last_reserved_ip.0"])
    }
}

@Suite struct DirectoryTests {
    /// `overwrite` never writes through a planted symlink (dangling or not), FIFO or second hard link: it replaces
    /// the name with a regular file of its own, and what was there keeps its content (or stays absent).
    @Test(arguments: ["symlink", "dangling symlink", "fifo", "hard link"])
    func overwriteReplacesWhatIsNotItsOwnPlainFile(planted: String) throws {
        let dir = try TemporaryDirectory("posix-overwrite")
        let (path, target) = (dir.path + "/last_reserved_ip.0", dir.path + "/target")
        if planted != "dangling symlink" { try FileSystem.writeFileAtomically(target, Array("precious".utf8)) }
        switch planted {
        case "fifo": #expect(mkfifo(path, 0o600) == 0)
        case "hard link": #expect(link(target, path) == 0)
        default: #expect(symlink(target, path) == 0)
        }
        try FileSystem.overwrite(path, Array("10.0.0.9".utf8))
        var st = stat()
        #expect(lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG && st.st_nlink == 1)
        #expect(try FileSystem.readFile(path) == Array("10.0.0.9".utf8))
        #expect(st.st_mode & 0o777 == 0o600)
        if planted == "dangling symlink" {
            #expect(!FileSystem.exists(target))
        } else {
            #expect(try FileSystem.readFile(target) == Array("precious".utf8))
        }
        let names = try FileSystem.listDirectory(dir.path)
        let expected = planted == "dangling symlink" ? ["last_reserved_ip.0"] : ["last_reserved_ip.0", "target"]
        #expect(names.sorted() == expected)
    }

    /// The lock file is never opened through a symlink (which could create a file wherever it points).
    @Test func fileLockRefusesASymlink() throws {
        let dir = try TemporaryDirectory("posix-lock")
        #expect(symlink(dir.path + "/elsewhere", dir.path + "/lock") == 0)
        #expect(throws: Errno.tooManySymbolicLinks) { _ = try FileLock(path: dir.path + "/lock") }
        #expect(!FileSystem.exists(dir.path + "/elsewhere"))
    }

    /// stdin is read up to a limit: a caller passing limit + 1 learns that there is more without reading it all.
    @Test func readAllStopsAtTheLimit() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { _ = close(fds[0]) }
        try FileSystem.writeAll(fds[1], [UInt8](repeating: 0x20, count: 40000))
        _ = close(fds[1])
        #expect(try FileSystem.readAll(fds[0], upTo: 1000).count == 1000)
        #expect(try FileSystem.readAll(fds[0], upTo: 100_000).count == 39000)
    }

    @Test func listsAndReadsRelativeToTheDirectory() throws {
        let temp = try TemporaryDirectory("posix-dir")
        try FileSystem.createExclusively(temp.path + "/10.0.0.2", Array("alice\r\neth0".utf8), durable: false)
        try FileSystem.createExclusively(temp.path + "/10.0.0.3", Array("bob\r\neth1".utf8), durable: false)
        try FileSystem.makeDirectories(temp.path + "/sub")
        let dir = try Directory(path: temp.path)
        #expect(try dir.names().sorted() == ["10.0.0.2", "10.0.0.3", "sub"])
        #expect(try dir.names().sorted() == ["10.0.0.2", "10.0.0.3", "sub"])  // every call starts from the top
        #expect(try dir.readFile("10.0.0.3", upTo: 4096) == Array("bob\r\neth1".utf8))
        #expect(try dir.readFile("10.0.0.2", upTo: 5) == Array("alice".utf8))
        #expect(throws: Errno.noSuchFileOrDirectory) { try dir.readFile("10.0.0.9", upTo: 4096) }
        // Exactly the limit, and more than one read's worth.
        let big = [UInt8](repeating: 0x61, count: 10000)
        try FileSystem.overwrite(temp.path + "/big", big)
        #expect(try dir.readFile("big", upTo: 4096) == Array(big.prefix(4096)))
        #expect(try dir.readFile("big", upTo: 20000) == big)
        // A FIFO under an address's name does not hang the reader (no writer: empty).
        #expect(mkfifo(temp.path + "/10.0.0.4", 0o600) == 0)
        #expect(try dir.readFile("10.0.0.4", upTo: 4096).isEmpty)
    }

    @Test func refusesWhatIsNotADirectory() throws {
        let temp = try TemporaryDirectory("posix-dir")
        try FileSystem.overwrite(temp.path + "/file", [1])
        #expect(throws: Errno.noSuchFileOrDirectory) { try Directory(path: temp.path + "/missing") }
        #expect(throws: Errno(ENOTDIR)) { try Directory(path: temp.path + "/file") }
    }
}
