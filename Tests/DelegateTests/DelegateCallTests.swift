import CNI
import Delegate
import JSON
import TestSupport
import Testing

/// The ways of calling a delegate that the plugins use, written once over `resolve`/`start`/`finish`/`kill`,
/// against fakes (no process runs).
@Suite struct DelegateCallTests {
    struct Refused: Error, Equatable {}

    let result = Array(#"{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.7/24"}]}"#.utf8)

    func call() throws -> Invocation {
        let config = try NetworkConfig(parsing: Array(#"{"cniVersion":"1.0.0","name":"n","type":"t"}"#.utf8))
        return Invocation(
            command: .add, containerID: "c1", ifName: "eth0", config: config,
            output: OutputSink(stdout: { _ in }, stderr: { _ in }))
    }

    @Test func runFeedsStdinAndReturnsStdout() throws {
        let fake = FakeDelegates(outputs: [.check: Array("ok".utf8)])
        #expect(try fake.run("ipam", .check, stdin: Array("in".utf8), for: try call()) == Array("ok".utf8))
        #expect(fake.calls.map(\.type) == ["ipam"] && fake.calls.map(\.stdin) == [Array("in".utf8)])
        #expect(fake.kills.isEmpty)
    }

    @Test func addHandsTheResultOutEarlyAndReturnsTheSame() throws {
        let fake = FakeDelegates(outputs: [.add: result])
        var early: [String] = []
        let final = try fake.add(
            "ipam", stdin: [], for: try call(), early: { early.append($0.ips[0].address.description) })
        #expect(early == ["10.0.0.7/24"] && final.ips[0].address.description == "10.0.0.7/24")
    }

    @Test func aFailingDelegateIsTheOutcomeAndGivesNoEarlyResult() throws {
        let fake = FakeDelegates(outputs: [.add: result])
        fake.failures[.add] = CNIError(.tryAgainLater, "busy")
        var early = 0
        #expect(throws: CNIError(.tryAgainLater, "busy")) {
            _ = try fake.add("ipam", stdin: [], for: try call(), early: { _ in early += 1 })
        }
        #expect(early == 0)
    }

    @Test func anUnparsableResultIsADecodingFailure() throws {
        let fake = FakeDelegates(outputs: [.add: Array("not json".utf8)])
        #expect(throws: CNIError(.decodingFailure, "failed to parse result of plugin \"ipam\"", details: "not json")) {
            _ = try fake.add("ipam", stdin: [], for: try call())
        }
    }

    @Test func preparedStdinGoesToTheStartedDelegate() throws {
        let fake = FakeDelegates(outputs: [.add: result])
        let final = try fake.add("bridge", for: try call()) { Array("prepared".utf8) }
        #expect(final.ips.count == 1 && fake.calls.map(\.stdin) == [Array("prepared".utf8)] && fake.kills.isEmpty)
    }

    @Test func aFailedPrepareKillsTheStartedDelegate() throws {
        let fake = FakeDelegates(outputs: [.add: result])
        #expect(throws: Refused()) { _ = try fake.add("bridge", for: try call()) { throw Refused() } }
        #expect(fake.kills == ["bridge"] && fake.calls.isEmpty)
    }

    /// A runner whose delegate cannot be started at once (as when exec fails): `prepare` runs first, then the
    /// delegate is started the sequential way, whose error (or success) is the outcome.
    final class NoEarlyStart: DelegateRunner, @unchecked Sendable {
        let fake = FakeDelegates(outputs: [.add: Array(#"{"cniVersion":"1.0.0"}"#.utf8)])
        var starts: [Bool] = []
        var resolvable = true

        func resolve(_ type: String, _ command: Command, for call: Invocation) throws(CNIError) -> DelegatePlugin {
            guard resolvable else { throw CNIError(.invalidNetworkConfig, "failed to find plugin \"\(type)\"") }
            return try fake.resolve(type, command, for: call)
        }

        func start(_ plugin: DelegatePlugin, now: Bool) throws(CNIError) -> any DelegateProcess {
            starts.append(now)
            if now { throw CNIError(.ioFailure, "no early start") }
            return try fake.start(plugin, now: now)
        }
    }

    @Test func withoutAnEarlyStartPrepareRunsFirstThenTheSequentialStart() throws {
        let runner = NoEarlyStart()
        var order: [String] = []
        _ = try runner.run("bridge", .add, for: try call()) {
            order.append("prepare")
            return Array("x".utf8)
        }
        #expect(order == ["prepare"] && runner.starts == [true, false] && runner.fake.calls.count == 1)

        runner.resolvable = false
        #expect(throws: Refused()) { _ = try runner.run("bridge", .add, for: try call()) { throw Refused() } }
        #expect(throws: CNIError(.invalidNetworkConfig, "failed to find plugin \"bridge\"")) {
            _ = try runner.run("bridge", .add, for: try call()) { [] }
        }
    }
}
