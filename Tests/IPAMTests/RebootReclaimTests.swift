import Addressing
import IPAM
import Posix
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Boot id and `/proc/stat` stand-ins in a temp dir.
struct FakeBoot {
    let source: BootSource
    init(_ dir: TemporaryDirectory, id: String, btime: Int) throws {
        source = BootSource(bootIDPath: dir.path + "/boot_id_source", statPath: dir.path + "/stat")
        try FileSystem.writeFileAtomically(source.bootIDPath, Array("\(id)\n".utf8))
        try FileSystem.writeFileAtomically(source.statPath, Array("cpu  1 2 3\nbtime \(btime)\nprocesses 9\n".utf8))
    }
}

func setModificationTime(_ path: String, _ seconds: Int) {
    var times = [timespec(tv_sec: seconds, tv_nsec: 0), timespec(tv_sec: seconds, tv_nsec: 0)]
    _ = utimensat(AT_FDCWD, path, &times, 0)
}

@Suite struct RebootReclaimTests {
    @Test func parsesBtime() {
        #expect(BootSource.bootTime(procStat: "cpu 1\nbtime 1700000000\nctxt 5\n") == 1_700_000_000)
        #expect(BootSource.bootTime(procStat: "cpu 1\n") == nil)
    }

    @Test func releasesPreBootReservationsOncePerBoot() throws {
        let data = try DataDir()
        let now = Clock.now()
        try data.write("10.0.0.2", "old\r\neth0")
        try data.write("10.0.0.3", "new\r\neth0")
        try data.write(FileStore.bootMarkerName, "boot_id previous-boot\n")
        setModificationTime(data.directory + "/10.0.0.2", now - 7200)
        let boot = try FakeBoot(data.temp, id: "current-boot", btime: now - 3600)

        let owned = try data.withStore(boot: boot.source) { (store) throws(IPAMError) in
            try store.reservations().map(\.containerID)
        }
        #expect(owned == ["new"])
        #expect(try data.text(FileStore.bootMarkerName) == "boot_id current-boot\n")

        // Same boot: file times are not looked at again, even for an old-looking file.
        try data.write("10.0.0.4", "older\r\neth0")
        setModificationTime(data.directory + "/10.0.0.4", now - 9000)
        let again = try data.withStore(boot: boot.source) { (store) throws(IPAMError) in try store.reservations().count
        }
        #expect(again == 2)
    }

    @Test func missingMarkerCountsAsNewBootButKeepsCurrentReservations() throws {
        let data = try DataDir()
        let now = Clock.now()
        try data.write("10.0.0.3", "fresh\r\neth0")
        let boot = try FakeBoot(data.temp, id: "b1", btime: now - 60)
        let count = try data.withStore(boot: boot.source) { (store) throws(IPAMError) in try store.reservations().count
        }
        #expect(count == 1)
        #expect(try data.files().contains(FileStore.bootMarkerName))
    }

    @Test func disabledOrUnknownBootKeepsEverything() throws {
        let data = try DataDir()
        try data.write("10.0.0.2", "old\r\neth0")
        setModificationTime(data.directory + "/10.0.0.2", 1000)
        _ = try data.withStore(boot: nil) { (store) throws(IPAMError) in try store.reservations() }
        let unreadable = BootSource(bootIDPath: data.temp.path + "/missing", statPath: "/proc/stat")
        _ = try data.withStore(boot: unreadable) { (store) throws(IPAMError) in try store.reservations() }
        #expect(try data.files() == ["10.0.0.2", "lock"])
    }

    @Test func markerIsNeverARecordGoCouldMatch() throws {
        let data = try DataDir()
        let boot = try FakeBoot(data.temp, id: "6f1c2d3e-0000-4000-8000-000000000000", btime: Clock.now() - 10)
        _ = try data.withStore(boot: boot.source) { (store) throws(IPAMError) in try store.reservations() }
        let marker = try data.text(FileStore.bootMarkerName)
        #expect(marker.contains(" "))  // a container ID has no space; `<id>\r\n<ifname>` has no space
        #expect(IPAddress(FileStore.bootMarkerName) == nil)
    }
}
