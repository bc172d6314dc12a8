import CDlFindObject
import Glibc
import Testing

/// The test binary links CDlFindObject, so `_dl_find_object` below is its definition, as in the release `bridge`;
/// glibc's own is looked up through libc. Both must give the same answer for every kind of address of a live process.
@Suite struct DlFindObjectTests {
    /// glibc's struct dl_find_object on x86_64: flags, map start, map end, link map, eh_frame, 7 reserved words.
    static let structSize = 96
    static let comparedSize = 40

    typealias Finder = @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?) -> Int32

    static func glibcFinder() throws -> Finder {
        // libc's lookup scope is libc and ld.so, where glibc defines it; the test binary (ours) is not in it.
        let libc = try #require(dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD), "libc is not loaded")
        let symbol = try #require(dlsym(libc, "_dl_find_object"), "glibc has no _dl_find_object (< 2.35)")
        return unsafeBitCast(symbol, to: Finder.self)
    }

    /// (result, the compared fields) of one lookup.
    static func lookup(_ finder: Finder, _ pc: UInt) -> (Int32, [UInt64]) {
        var words = [UInt64](repeating: 0xAAAA_AAAA_AAAA_AAAA, count: structSize / 8)
        let status = words.withUnsafeMutableBytes {
            finder(UnsafeMutableRawPointer(bitPattern: pc), OpaquePointer($0.baseAddress!))
        }
        return (status, status == 0 ? Array(words.prefix(comparedSize / 8)) : [])
    }

    /// Start, middle, last byte and end of every mapping in /proc/self/maps (code, data, heap, stack, vdso, gaps).
    static func probeAddresses() throws -> [UInt] {
        let fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC)
        try #require(fd >= 0)
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            try #require(n >= 0)
            if n == 0 { break }
            bytes += buffer[..<n]
        }
        var addresses: [UInt] = [0, 1]
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            let range = line.prefix { $0 != UInt8(ascii: " ") }.split(separator: UInt8(ascii: "-"))
            guard range.count == 2, let start = UInt(String(decoding: range[0], as: UTF8.self), radix: 16),
                let end = UInt(String(decoding: range[1], as: UTF8.self), radix: 16)
            else { continue }
            addresses += [start, start + (end - start) / 2, end - 1, end]
        }
        return addresses
    }

    @Test func sameAnswerAsGlibcForEveryMapping() throws {
        let glibc = try Self.glibcFinder()
        let ours: Finder = { pc, result in _dl_find_object(pc, result) }
        let addresses = try Self.probeAddresses()
        var found = 0
        for pc in addresses {
            let (expected, actual) = (Self.lookup(glibc, pc), Self.lookup(ours, pc))
            #expect(actual.0 == expected.0, "status for \(String(pc, radix: 16))")
            #expect(actual.1 == expected.1, "fields for \(String(pc, radix: 16))")
            if expected.0 == 0 { found += 1 }
        }
        // The test binary, libc, ld.so and the vdso at least, each probed at several addresses.
        #expect(found >= 12)
    }

    @Test func codeOfThisProcessHasUnwindTables() throws {
        let (status, fields) = Self.lookup(
            { pc, result in _dl_find_object(pc, result) },
            UInt(bitPattern: dlsym(nil, "strlen")))
        try #require(status == 0)
        #expect(fields[4] != 0, "libc's PT_GNU_EH_FRAME")
        #expect(fields[3] != 0, "libc's link map")
        #expect(fields[1] <= fields[2])
    }
}
