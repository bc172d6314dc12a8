import NetNS
import Netlink
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

struct ExpectedFailure: Error, Equatable {}

/// NetNS: opening, error cases, and that `run` never moves the calling thread.
@Suite(.serialized, .enabled(if: TestEnvironment.integrationEnabled))
struct NetNSTests {
    /// Inode of the calling thread's namespace.
    static func currentInode() throws -> UInt64 { try NetNS.current().inode }

    @Test func runEntersTheNamespaceAndLeavesTheCallerAlone() throws {
        guard requireNetNS() else { return }
        let ns = try TestNamespace("nlt")
        let target = try NetNS.open(path: ns.path)
        let before = try Self.currentInode()
        let (inside, links) = try target.run { () throws -> (UInt64, [String]) in
            let netlink = try NetlinkSocket()
            return (try Self.currentInode(), try netlink.links().map(\.name))
        }
        #expect(inside == target.inode && inside != before)
        #expect(links == ["lo"])
        #expect(try Self.currentInode() == before)
    }

    @Test func runRethrowsTheClosureErrorAndStillLeavesTheCallerAlone() throws {
        guard requireNetNS() else { return }
        let ns = try TestNamespace("nlt")
        let target = try NetNS.open(path: ns.path)
        let before = try Self.currentInode()
        #expect(throws: ExpectedFailure()) {
            try target.run { () throws -> Int in throw ExpectedFailure() }
        }
        #expect(try Self.currentInode() == before)
        let current = try NetNS.current()
        #expect(try current.run { try Self.currentInode() } == before)
    }

    @Test func socketsKeepTheirNamespace() throws {
        guard requireNetNS() else { return }
        let ns = try TestNamespace("nlt")
        let target = try NetNS.open(path: ns.path)
        try target.run {
            let nl = try NetlinkSocket()
            _ = try nl.createVeth(named: "nltveth0", peer: VethPeer(name: "nltveth1"))
        }
        #expect(try ns.ip("-o", "link").contains("nltveth0"))
        let outsideSocket = try NetlinkSocket()  // the test thread's namespace: read only
        #expect(try outsideSocket.links().contains { $0.name == "nltveth0" } == false)
    }

    @Test func openReportsMissingPathsAndNonNamespaces() throws {
        guard requireNetNS() else { return }
        #expect(throws: NetNSError.notFound(path: "/run/netns/nlt-does-not-exist")) {
            _ = try NetNS.open(path: "/run/netns/nlt-does-not-exist")
        }
        #expect(throws: NetNSError.notANamespace(path: "/proc/self/status")) {
            _ = try NetNS.open(path: "/proc/self/status")
        }
        #expect(throws: NetNSError.notANamespace(path: "/proc/self/ns/uts")) {  // a namespace, but not a network one
            _ = try NetNS.open(path: "/proc/self/ns/uts")
        }
        let a = try NetNS.current()
        let b = try NetNS.open(path: "/proc/thread-self/ns/net")
        let same = a.isSame(as: b)
        #expect(same)
    }

    @Test func startRunsInTheNamespaceWhileTheCallerGoesOn() throws {
        guard requireNetNS() else { return }
        let ns = try TestNamespace("nlt")
        let before = try Self.currentInode()
        let (thread, targetInode) = try { () throws -> (NamespaceThread<(UInt64, [String])>, UInt64) in
            let target = try NetNS.open(path: ns.path)
            let thread = try target.start { () throws -> (UInt64, [String]) in
                (try Self.currentInode(), try NetlinkSocket().links().map(\.name))
            }
            return (thread, target.inode)  // the handle goes away before wait(): the thread has its own descriptor
        }()
        #expect(try Self.currentInode() == before)
        let (inside, links) = try thread.wait()
        #expect(inside == targetInode && inside != before)
        #expect(links == ["lo"])
        #expect(try thread.wait() == (inside, links))  // joined once, answered again
    }

    @Test func startRethrowsTheBodyError() throws {
        guard requireNetNS() else { return }
        let ns = try TestNamespace("nlt")
        let thread = try NetNS.open(path: ns.path).start { () throws -> Int in throw ExpectedFailure() }
        #expect(throws: ExpectedFailure()) { try thread.wait() }
    }

    /// Many calls in a row, each on its own thread, all answer (and none is lost or answered twice).
    @Test func manyRunsAndStartsEachAnswerOnce() throws {
        guard requireNetNS() else { return }
        let ns = try TestNamespace("nlt")
        let target = try NetNS.open(path: ns.path)
        var sum = 0
        for i in 0..<500 {
            sum += try target.run { i }
            let threads = try (0..<4).map { k in try target.start { i * 4 + k } }
            sum += try threads.reversed().map { try $0.wait() }.reduce(0, +)
        }
        #expect(sum == 500 * 499 / 2 + (2000 * 1999 / 2))
    }

}
