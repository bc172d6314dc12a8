import Posix
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Files planted in the network directory (a symlink or a FIFO under a name host-local writes) are never written
/// through: the file is replaced, or the call is refused; whatever a symlink points to stays untouched.
@Suite struct PlantedFileTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var file: String
        /// Whether ADD still succeeds (the planted file replaced or passed by) or fails with `code`.
        var code: Int64?
        var fifo = false
        var testDescription: String { file + (fifo ? " (FIFO)" : "") }
    }

    static let cases = [
        Case(file: "last_reserved_ip.0"),  // replaced by temp + rename; the Go plugin reads it as before
        Case(file: "last_reserved_ip.0", fifo: true),
        Case(file: "boot_id"),  // replaced by temp + rename when the boot is recorded
        Case(file: "10.10.0.3"),  // a name the next ADD would reserve: taken as in use, the next address is used
        Case(file: "lock", code: 5)  // refused: replacing it would split the lock from the Go plugin's
    ]

    @Test(arguments: cases, [true, false])
    func neverWrittenThrough(_ c: Case, dangling: Bool) throws {
        let network = try Network()
        try network.add("existing")
        let outside = try TemporaryDirectory("planted-target")
        let target = outside.path + "/target"
        if !dangling { try FileSystem.writeFileAtomically(target, Array("precious".utf8)) }
        let planted = network.directory + "/" + c.file
        _ = try FileSystem.removeFile(planted)
        if c.fifo {
            guard !dangling else { return }  // one FIFO case is enough
            #expect(mkfifo(planted, 0o600) == 0)
        } else {
            #expect(symlink(target, planted) == 0)
        }

        let out = try network.run("ADD", "newcomer")
        if let code = c.code {
            #expect(out.exitCode == 1 && out.code == code, "\(out)")
            #expect(out.message.contains("lock"), "\(out)")
        } else {
            #expect(out.exitCode == 0, "\(out)")
            #expect(addresses(out) == [c.file == "10.10.0.3" ? "10.10.0.4/24" : "10.10.0.3/24"])
        }
        if dangling {
            #expect(!FileSystem.exists(target), "a file was created through the dangling symlink")
        } else {
            #expect(try FileSystem.readFile(target) == Array("precious".utf8), "written through the symlink")
        }
        if c.file.hasPrefix("last_reserved_ip") {
            #expect(try isRegularFile(planted) && FileSystem.readText(planted) == "10.10.0.3")
        }
    }

    /// STATUS publishes and removes `status_probe`: a symlink planted there is replaced and removed, never followed.
    @Test func statusProbeIsNotWrittenThrough() throws {
        let network = try Network(version: "1.1.0")
        try network.add("existing")
        let outside = try TemporaryDirectory("planted-target")
        try FileSystem.writeFileAtomically(outside.path + "/target", Array("precious".utf8))
        #expect(symlink(outside.path + "/target", network.directory + "/status_probe") == 0)
        let out = try network.run("STATUS", "", ifName: "")
        #expect(out.exitCode == 0, "\(out)")
        #expect(try FileSystem.readFile(outside.path + "/target") == Array("precious".utf8))
        #expect(!FileSystem.exists(network.directory + "/status_probe"))
    }

    /// What we write in place of a planted symlink is what Go's host-local reads: its round-robin continues after it.
    @Test func goContinuesFromTheReplacedLastReservedFile() throws {
        guard Prerequisite.goPlugins.require() else { return }
        let network = try Network()
        try network.add("existing")
        let outside = try TemporaryDirectory("planted-target")
        _ = try FileSystem.removeFile(network.directory + "/last_reserved_ip.0")
        #expect(symlink(outside.path + "/target", network.directory + "/last_reserved_ip.0") == 0)
        #expect(try network.add("ours") == ["10.10.0.3/24"])
        #expect(try network.add("gocontainer", implementation: .go) == ["10.10.0.4/24"])
        #expect(!FileSystem.exists(outside.path + "/target"))
    }

    /// lstat: a regular file, not a symlink.
    func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }
}
