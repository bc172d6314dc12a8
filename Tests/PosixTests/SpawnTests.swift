import Posix
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct SpawnTests {
    private func shell(_ script: String) throws(Errno) -> Spawn.Child {
        try Spawn.start(path: "/bin/sh", arguments: ["sh", "-c", script], environment: ["PATH=/usr/bin:/bin"])
    }

    /// Polls for `path` (the child writes it), up to 2 s.
    private func waitForFile(_ path: String) -> Bool {
        for _ in 0..<200 {
            if FileSystem.isRegularFile(path) { return true }
            Clock.sleep(milliseconds: 10)
        }
        return false
    }

    /// The pid the child wrote to `path` (polls until the whole line is there, up to 2 s).
    private func waitForPID(_ path: String) -> Int32? {
        for _ in 0..<200 {
            if let text = try? FileSystem.readText(path), text.hasSuffix("\n"), let pid = Int32(text.dropLast()) {
                return pid
            }
            Clock.sleep(milliseconds: 10)
        }
        return nil
    }

    @Test func startedChildGetsItsStdinLater() throws {
        let dir = try TemporaryDirectory()
        let child = try shell("touch \(dir.path)/started; tr a-z A-Z; echo done >&2; exit 3")
        #expect(waitForFile(dir.path + "/started"))  // running before it has any input
        let result = child.finish(stdin: Array("hello".utf8))
        #expect(result.exitCode == 3 && result.stdout == Array("HELLO".utf8) && result.stderr == Array("done\n".utf8))
    }

    /// kill() ends a child blocked on its stdin before it does anything, and reaps it.
    @Test func killedChildNeverActs() throws {
        let dir = try TemporaryDirectory()
        let child = try shell("echo $$ > \(dir.path)/pid; read line; touch \(dir.path)/acted")
        let pid = try #require(waitForPID(dir.path + "/pid"))
        child.kill()
        #expect(Glibc.kill(pid, 0) == -1 && errno == ESRCH)  // gone, and not left a zombie
        #expect(!FileSystem.isRegularFile(dir.path + "/acted"))
    }

    /// A child dropped without finish() or kill() is killed and reaped too (no stray process, no zombie).
    @Test func droppedChildIsKilled() throws {
        let dir = try TemporaryDirectory()
        let child = try shell("echo $$ > \(dir.path)/pid; exec sleep 30")
        let pid = try #require(waitForPID(dir.path + "/pid"))
        _ = consume child
        #expect(Glibc.kill(pid, 0) == -1 && errno == ESRCH)
    }

    /// `run` starts the child pinned to the spawning thread's CPU (so it runs at once where that thread sleeps), then
    /// both get the original affinity back: nothing of ours stays pinned.
    @Test func childAndCallerKeepTheirCPUAffinity() throws {
        func allowed(_ status: String) -> String? {
            status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") }.map(String.init)
        }
        let before = try #require(allowed(try FileSystem.readText("/proc/thread-self/status")))
        let result = try Spawn.run(
            path: "/bin/sh", arguments: ["sh", "-c", "read line; grep Cpus_allowed_list: /proc/self/status"],
            environment: ["PATH=/usr/bin:/bin"], stdin: Array("go\n".utf8))
        #expect(allowed(try FileSystem.readText("/proc/thread-self/status")) == before)
        #expect(String(decoding: result.stdout, as: UTF8.self) == before + "\n")
    }

    /// CPUs in the `Cpus_allowed:` hex mask of a /proc status text.
    private func allowedCPUCount(_ status: String) -> Int? {
        let lines = status.split(separator: "\n")
        guard let line = lines.first(where: { $0.hasPrefix("Cpus_allowed:") }) else { return nil }
        return line.dropFirst("Cpus_allowed:".count).compactMap { $0.hexDigitValue?.nonzeroBitCount }.reduce(0, +)
    }

    /// A started child stays off the spawning CPU while the caller goes on (one CPU fewer in its mask, when there is
    /// another) and has its own mask back once `finish` feeds it.
    @Test func startedChildStaysOffTheCallersCPUUntilFinish() throws {
        let dir = try TemporaryDirectory()
        let own = try #require(allowedCPUCount(try FileSystem.readText("/proc/thread-self/status")))
        let child = try shell("echo $$ > \(dir.path)/pid; read line; grep Cpus_allowed: /proc/self/status")
        let pid = try #require(waitForPID(dir.path + "/pid"))
        let meanwhile = try #require(allowedCPUCount(try FileSystem.readText("/proc/\(pid)/status")))
        #expect(meanwhile == (own > 1 ? own - 1 : own))
        let result = child.finish(stdin: Array("go\n".utf8))
        #expect(allowedCPUCount(String(decoding: result.stdout, as: UTF8.self)) == own)
    }

    @Test func missingProgramFailsToStart() {
        #expect(throws: Errno.noSuchFileOrDirectory) {
            _ = try Spawn.start(path: "/nonexistent/program", arguments: ["x"], environment: [])
        }
    }
}
