import Addressing
import IPAM
import Posix
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A temp data dir plus helpers to look at what landed on disk.
final class DataDir {
    let temp: TemporaryDirectory
    let network = "testnet"
    init() throws { temp = try TemporaryDirectory("ipam-test") }
    var directory: String { temp.path + "/" + network }

    func files() throws -> [String] { try FileSystem.listDirectory(directory).sorted() }
    func text(_ name: String) throws -> String { try FileSystem.readText(directory + "/" + name) }
    func write(_ name: String, _ text: String) throws {
        try FileSystem.makeDirectories(directory)
        try FileSystem.writeFileAtomically(directory + "/" + name, Array(text.utf8))
    }

    @discardableResult
    func withStore<T>(
        boot: BootSource? = nil, _ body: (inout FileStore) throws(IPAMError) -> T
    ) throws -> T {
        try FileStore.withLock(
            dataDir: temp.path, network: network, options: FileStoreOptions(reclaimAfterReboot: boot), body)
    }
}

@Suite struct FileStoreTests {
    @Test func layoutIsGoHostLocals() throws {
        let data = try DataDir()
        let a = try allocator("10.0.0.0/24", "fd00::/120")
        _ = try data.withStore { (store) throws(IPAMError) in try a.allocate(for: alice, in: &store) }
        #expect(try data.files() == ["10.0.0.2", "fd00::2", "last_reserved_ip.0", "last_reserved_ip.1", "lock"])
        #expect(try FileSystem.readFile(data.directory + "/10.0.0.2") == Array("alice\r\neth0".utf8))
        #expect(try data.text("fd00::2") == "alice\r\neth0")
        #expect(try data.text("last_reserved_ip.0") == "10.0.0.2")
        #expect(try data.text("last_reserved_ip.1") == "fd00::2")
        #expect(try data.text("lock") == "")
        var st = stat()
        #expect(stat(data.directory + "/10.0.0.2", &st) == 0 && st.st_mode & 0o777 == 0o600)
    }

    @Test func readsGoAndLegacyRecords() throws {
        let data = try DataDir()
        try data.write("10.0.0.5", "legacy-id")
        try data.write("10.0.0.6", "gocontainer\r\neth0")
        try data.write("last_reserved_ip.0", "10.0.0.6")
        try data.write("not-an-ip", "alice\r\neth0")
        let found = try data.withStore { (store) throws(IPAMError) in try store.reservations() }
        #expect(
            Set(found) == [
                Reservation(address: ip("10.0.0.5"), containerID: "legacy-id", ifName: nil),
                Reservation(address: ip("10.0.0.6"), containerID: "gocontainer", ifName: "eth0")
            ])
        let a = try allocator("10.0.0.0/24")
        let next = try data.withStore { (store) throws(IPAMError) in
            try a.allocate(for: alice, in: &store)
        }
        #expect(next.map(\.address) == [ip("10.0.0.7")])
    }

    @Test func releaseAndExclusiveCreate() throws {
        let data = try DataDir()
        let reserved = try data.withStore { (store) throws(IPAMError) -> [Bool] in
            [try store.reserve(ip("10.0.0.9"), for: alice), try store.reserve(ip("10.0.0.9"), for: bob)]
        }
        #expect(reserved == [true, false])
        #expect(try data.text("10.0.0.9") == "alice\r\neth0")
        try data.withStore { (store) throws(IPAMError) in
            try store.release(ip("10.0.0.9"))
            try store.release(ip("10.0.0.9"))  // missing is fine
        }
        #expect(try data.files() == ["lock"])
    }

    @Test func staleTemporaryFilesAreRemovedNotMatched() throws {
        let data = try DataDir()
        try data.write("10.0.0.2.tmp.AbC123", "alice\r\neth0")  // left by a kill -9 before link()
        let a = try allocator("10.0.0.0/24")
        let owned = try data.withStore { (store) throws(IPAMError) in
            try a.addresses(of: alice, in: &store)
        }
        #expect(owned.isEmpty)
        #expect(try data.files() == ["lock"])
    }

    @Test func garbageCollectionOnDisk() throws {
        let data = try DataDir()
        try data.write("10.0.0.2", "keep\r\neth0")
        try data.write("10.0.0.3", "gone\r\neth0")
        try data.write("10.0.0.4", "keep")
        try data.write("last_reserved_ip.0", "10.0.0.3")
        try data.write(FileStore.bootMarkerName, "boot_id x")
        let a = try allocator("10.0.0.0/24")
        try data.withStore { (store) throws(IPAMError) in
            try a.collectGarbage(keeping: [Owner(containerID: "keep", ifName: "eth0")], in: &store)
        }
        #expect(try data.files() == ["10.0.0.2", "10.0.0.4", FileStore.bootMarkerName, "last_reserved_ip.0", "lock"])
    }

    @Test func lockTimeout() throws {
        let data = try DataDir()
        try FileSystem.makeDirectories(data.directory)
        let held = try FileLock(path: data.directory + "/lock")
        #expect(throws: IPAMError.lockTimeout(path: data.directory + "/lock")) {
            try FileStore.withLock(
                dataDir: data.temp.path, network: data.network,
                options: FileStoreOptions(lockTimeoutMilliseconds: 50, reclaimAfterReboot: nil)
            ) { (_) throws(IPAMError) in }
        }
        _ = consume held
    }
}
