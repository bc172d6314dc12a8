import CNI
import Delegate
import JSON
import Posix
import TestSupport
import Testing

/// The exec path of delegation, against small shell-script delegates in a temp dir.
@Suite struct DelegateRunnerTests {
    func makeDelegate(_ dir: TemporaryDirectory, _ name: String, _ script: String) throws {
        let path = dir.path + "/" + name
        try FileSystem.writeFileAtomically(path, Array(("#!/bin/sh\n" + script).utf8), mode: 0o755)
    }

    func call(_ dir: TemporaryDirectory, env: [String: String] = [:]) throws -> (Invocation, () -> String) {
        var err: [UInt8] = []
        let sink = OutputSink(stdout: { _ in }, stderr: { err += $0 })
        var environment = Environment([
            "CNI_COMMAND": "ADD", "CNI_CONTAINERID": "c1", "CNI_IFNAME": "eth0", "OTHER": "kept"
        ])
        for (k, v) in env { environment[k] = v }
        let config = try NetworkConfig(parsing: Array(#"{"cniVersion":"1.0.0","name":"n","type":"t"}"#.utf8))
        let call = Invocation(
            command: .add, containerID: "c1", ifName: "eth0", path: ["/nonexistent", dir.path],
            config: config, environment: environment, output: sink)
        return (call, { String(decoding: err, as: UTF8.self) })
    }

    @Test func runsWithSameEnvironmentOnlyCommandChanged() throws {
        let dir = try TemporaryDirectory()
        try makeDelegate(
            dir, "ipam",
            """
            cat > "$(dirname "$0")/stdin"; env > "$(dirname "$0")/env"; echo "log line" >&2
            echo '{"cniVersion":"0.3.1","ips":[{"version":"4","address":"10.0.0.2/24","gateway":"10.0.0.1"}],"dns":{}}'
            """)
        let (call, stderr) = try call(dir)
        let result = try ExecDelegateRunner().add("ipam", stdin: Array("{\"x\":1}".utf8), for: call)
        #expect(result.ips.first?.address.description == "10.0.0.2/24")
        #expect(try FileSystem.readText(dir.path + "/stdin") == "{\"x\":1}")
        let env = try FileSystem.readText(dir.path + "/env")
        #expect(env.contains("CNI_COMMAND=ADD") && env.contains("OTHER=kept") && env.contains("CNI_CONTAINERID=c1"))
        #expect(stderr().contains("log line"))
        _ = try ExecDelegateRunner().run("ipam", .del, stdin: [], for: call)
        #expect(try FileSystem.readText(dir.path + "/env").contains("CNI_COMMAND=DEL"))
    }

    @Test func forwardsTheDelegatesErrorUnchanged() throws {
        let dir = try TemporaryDirectory()
        try makeDelegate(dir, "bad", #"echo '{"cniVersion":"1.0.0","code":11,"msg":"busy","details":"d"}'; exit 1"#)
        let (call, _) = try call(dir)
        #expect(throws: CNIError(.tryAgainLater, "busy", details: "d")) {
            try ExecDelegateRunner().run("bad", .add, stdin: [], for: call)
        }
    }

    @Test func nonJSONFailureBecomesInternalWithText() throws {
        let dir = try TemporaryDirectory()
        try makeDelegate(dir, "crash", "echo boom >&2; exit 3")
        let (call, _) = try call(dir)
        do {
            _ = try ExecDelegateRunner().run("crash", .add, stdin: [], for: call)
            Issue.record("expected failure")
        } catch {
            #expect(error.code == .internalError)
            #expect(error.message.contains("exit code 3"))
            #expect(error.details?.contains("boom") == true)
        }
    }

    @Test func missingPluginIsAClearConfigError() throws {
        let dir = try TemporaryDirectory()
        let (call, _) = try call(dir)
        #expect(
            throws: CNIError(.invalidNetworkConfig, "failed to find plugin \"nope\" in path [/nonexistent \(dir.path)]")
        ) {
            try ExecDelegateRunner().run("nope", .add, stdin: [], for: call)
        }
        #expect(throws: CNIError.self) { try ExecDelegateRunner().run("../bin/sh", .add, stdin: [], for: call) }
    }

    @Test func largeStdinAndStdoutDoNotDeadlock() throws {
        let dir = try TemporaryDirectory()
        try makeDelegate(dir, "cat", "cat")
        let (call, _) = try call(dir)
        let big = [UInt8](repeating: 0x61, count: 1 << 20)
        #expect(try ExecDelegateRunner().run("cat", .add, stdin: big, for: call) == big)
    }

    struct PrepareFailed: Error, Equatable {}

    @Test func preparedStdinReachesTheStartedPlugin() throws {
        let dir = try TemporaryDirectory()
        try makeDelegate(
            dir, "ipam",
            """
            cat > "$(dirname "$0")/stdin"
            echo '{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.3/24"}]}'
            """)
        let (call, _) = try call(dir)
        var prepared = false
        let result = try ExecDelegateRunner().add("ipam", for: call) {
            prepared = true
            return Array("{\"y\":2}".utf8)
        }
        #expect(prepared && result.ips.first?.address.description == "10.0.0.3/24")
        #expect(try FileSystem.readText(dir.path + "/stdin") == "{\"y\":2}")
    }

    /// The plugin is started before `prepare` runs; when `prepare` fails it is killed before it read anything, so
    /// it never acts, and `prepare`'s error is what the caller sees.
    @Test func aFailedPrepareKillsThePluginBeforeItActs() throws {
        let dir = try TemporaryDirectory()
        try makeDelegate(dir, "ipam", #"touch "$(dirname "$0")/started"; read line; touch "$(dirname "$0")/acted""#)
        let (call, _) = try call(dir)
        #expect(throws: PrepareFailed()) {
            _ = try ExecDelegateRunner().run("ipam", .add, for: call) {
                for _ in 0..<200 where !FileSystem.isRegularFile(dir.path + "/started") {
                    Clock.sleep(milliseconds: 10)
                }
                throw PrepareFailed()
            }
        }
        #expect(FileSystem.isRegularFile(dir.path + "/started"))  // it really was running meanwhile
        Clock.sleep(milliseconds: 50)
        #expect(!FileSystem.isRegularFile(dir.path + "/acted"))
    }

    func waitForFile(_ path: String) {
        for _ in 0..<300 where !FileSystem.isRegularFile(path) { Clock.sleep(milliseconds: 10) }
    }

    /// A plugin prestarted for the same program and environment is the one that gets the stdin: it runs once.
    @Test func prestartedPluginIsTheOneThatRuns() throws {
        let dir = try TemporaryDirectory()
        try makeDelegate(
            dir, "ipam",
            """
            echo started >> "$(dirname "$0")/starts"
            cat > "$(dirname "$0")/stdin"
            echo '{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.4/24"}]}'
            """)
        let (call, _) = try call(dir, env: ["CNI_PATH": "/nonexistent:" + dir.path])
        let runner = ExecDelegateRunner()
        runner.prestart("ipam", .add, environment: call.environment)
        waitForFile(dir.path + "/starts")  // running before any config exists
        let result = try runner.add("ipam", for: call) { Array("{\"z\":3}".utf8) }
        #expect(result.ips.first?.address.description == "10.0.0.4/24")
        #expect(try FileSystem.readText(dir.path + "/starts") == "started\n")
        #expect(try FileSystem.readText(dir.path + "/stdin") == "{\"z\":3}")
    }

    /// Prestarted on one thread and taken on another, as bridge does (main thread, IPAM thread): the kept child is
    /// handed over under the runner's lock and runs once; concurrent prestarts from several threads leave one
    /// child kept, every replaced one killed unfed.
    @Test func prestartedPluginIsTakenOnAnotherThread() throws {
        let dir = try TemporaryDirectory()
        try makeDelegate(
            dir, "ipam",
            """
            echo started >> "$(dirname "$0")/starts"
            read line; echo "$line" >> "$(dirname "$0")/fed"
            echo '{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.6/24"}]}'
            """)
        let (call, _) = try call(dir, env: ["CNI_PATH": dir.path])
        let runner = ExecDelegateRunner()
        let environment = call.environment
        let starters = (0..<4).map { _ in BackgroundTask { runner.prestart("ipam", .add, environment: environment) } }
        for starter in starters { try starter.wait() }
        let result = try BackgroundTask {
            try runner.add("ipam", stdin: Array("{\"fed\":1}\n".utf8), for: call, early: { _ in })
        }.wait()
        #expect(result.ips.first?.address.description == "10.0.0.6/24")
        #expect(try FileSystem.readText(dir.path + "/fed") == "{\"fed\":1}\n")  // one child got the input
    }

    /// A prestarted plugin that the call does not use (another type, or no run at all) is killed before it read
    /// anything; the plugin that is needed is started as usual.
    @Test func unusedPrestartedPluginNeverActs() throws {
        let dir = try TemporaryDirectory()
        try makeDelegate(dir, "guess", #"touch "$(dirname "$0")/started-$1"; read line; touch "$(dirname "$0")/acted""#)
        try makeDelegate(dir, "other", #"cat >/dev/null; echo '{"cniVersion":"1.0.0"}'"#)
        let (call, _) = try call(dir, env: ["CNI_PATH": dir.path])
        let runner = ExecDelegateRunner()
        runner.prestart("guess", .add, environment: call.environment)
        waitForFile(dir.path + "/started-")
        let output = try runner.run("other", .add, for: call) { Array("{}".utf8) }
        #expect(output == Array("{\"cniVersion\":\"1.0.0\"}\n".utf8))

        do {
            let abandoned = ExecDelegateRunner()
            abandoned.prestart("guess", .add, environment: call.environment)
            waitForFile(dir.path + "/started-")
        }
        // Another environment is not a match either.
        let other = ExecDelegateRunner()
        other.prestart("guess", .add, environment: call.environment)
        var changed = call
        changed.environment["CNI_IFNAME"] = "eth1"
        #expect(throws: PrepareFailed()) { _ = try other.run("guess", .add, for: changed) { throw PrepareFailed() } }
        Clock.sleep(milliseconds: 50)
        #expect(!FileSystem.isRegularFile(dir.path + "/acted"))
    }

    /// Without a plugin to start, `prepare` still runs first and its error wins, as in the sequential order.
    @Test func prepareErrorsComeBeforeAMissingPlugin() throws {
        let dir = try TemporaryDirectory()
        let (call, _) = try call(dir)
        #expect(throws: PrepareFailed()) {
            _ = try ExecDelegateRunner().run("nope", .add, for: call) { throw PrepareFailed() }
        }
        var prepared = false
        #expect(
            throws: CNIError(.invalidNetworkConfig, "failed to find plugin \"nope\" in path [/nonexistent \(dir.path)]")
        ) {
            _ = try ExecDelegateRunner().run("nope", .add, for: call) {
                prepared = true
                return []
            }
        }
        #expect(prepared)
    }

    /// The early result comes while the plugin is still running: here it only exits once the callback has run.
    @Test func earlyResultArrivesBeforeThePluginExits() throws {
        let dir = try TemporaryDirectory()
        try makeDelegate(
            dir, "ipam",
            """
            cat >/dev/null
            echo '{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.4/24"}]}'
            for i in $(seq 200); do [ -f "$(dirname "$0")/seen" ] && exit 0; sleep 0.01; done; exit 3
            """)
        let (call, _) = try call(dir)
        var early: [String] = []
        let result = try ExecDelegateRunner().add("ipam", stdin: [], for: call) { result in
            early.append(result.ips.first?.address.description ?? "")
            try? FileSystem.writeFileAtomically(dir.path + "/seen", [])
        }
        #expect(early == ["10.0.0.4/24"] && result.ips.first?.address.description == "10.0.0.4/24")
    }

    /// An error object is not an early result (the final outcome carries it).
    @Test func anErrorObjectIsNoEarlyResult() throws {
        let dir = try TemporaryDirectory()
        try makeDelegate(dir, "ipam", #"echo '{"cniVersion":"1.0.0","code":11,"msg":"busy"}'; exit 1"#)
        let (call, _) = try call(dir)
        var earlyCalls = 0
        #expect(throws: CNIError(.tryAgainLater, "busy")) {
            _ = try ExecDelegateRunner().add("ipam", stdin: [], for: call) { _ in earlyCalls += 1 }
        }
        #expect(earlyCalls == 0)
    }

    /// The stdin-from-prepare ADD (flannel's) takes its result from the complete document and still goes by the exit
    /// status and the whole output: a failure after printing, or anything but whitespace after the document, fails.
    @Test(
        arguments: [("exit 0", nil), ("echo; exit 0", nil), ("exit 1", 999), ("echo trailing", 6)]
            as [(String, Int?)])
    func resultFromPreparedStdinIsConfirmedByExitAndWholeOutput(ending: String, code: Int?) throws {
        let dir = try TemporaryDirectory()
        try makeDelegate(
            dir, "ipam",
            """
            cat >/dev/null
            echo '{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.5/24"}]}'
            \(ending)
            """)
        let (call, _) = try call(dir)
        do {
            let result = try ExecDelegateRunner().add("ipam", for: call) { Array("{}".utf8) }
            #expect(code == nil && result.ips.first?.address.description == "10.0.0.5/24")
        } catch let error as CNIError {
            #expect(error.code.rawValue == code, "\(error)")
        }
    }
}
