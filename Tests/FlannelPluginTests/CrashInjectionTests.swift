import Posix
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Short runs of `scripts/crash.sh` (kill -9 at random points of the chain's ADD and DEL, then a runtime's
/// recovery) and `scripts/churn.sh` (parallel ADD/DEL mixes, half of the host-local calls by Go's plugin, on one
/// data directory) against the debug-built plugins, as a runtime runs them. One implementation of the checks: the
/// scripts' (their long runs are behind their options, docs/GUARANTEES.md). Needs root; fails under CI=true when it
/// cannot run (the scripts install python3 and the Go plugins themselves).
@Suite(.serialized, .enabled(if: TestEnvironment.integrationEnabled))
struct CrashInjectionTests {
    /// 24 trials: every kill target (process group, flannel, bridge, host-local) in ADD and in DEL.
    @Test func killedChainCallsLeaveNothingAfterRecovery() throws {
        guard requireNetNS() else { return }
        let result = try script("crash.sh", ["--trials", "24", "--seed", Self.seed()])
        #expect(result.exitCode == 0, "\(result)")
        let output = result.stdout + result.stderr
        #expect(output.contains("24 trials") && output.contains("failures: 0"), "\(result)")
    }

    /// 32 parallel slots, 2 rounds, then everything deleted.
    @Test func churnWithGoHostLocalKeepsReservationsExact() throws {
        guard requireNetNS() else { return }
        let result = try script("churn.sh", ["--parallel", "32", "--rounds", "2", "--seed", Self.seed()])
        #expect(result.exitCode == 0, "\(result)")
        let output = result.stdout + result.stderr
        #expect(output.contains("final DEL: ") && output.contains("failures: 0"), "\(result)")
    }

    /// Runs a script of scripts/ on the debug binaries (the seed is in its output).
    private func script(_ name: String, _ arguments: [String]) throws -> PluginOutput {
        let path = TestEnvironment.packageRoot + "/scripts/" + name
        let command = ["/bin/bash", path, "--bin", TestEnvironment.binaryDirectory] + arguments
        return PluginOutput(try run(command, check: false))
    }

    private static func seed() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return String(ts.tv_sec % 1_000_000) + String(ts.tv_nsec % 1000)
    }
}
