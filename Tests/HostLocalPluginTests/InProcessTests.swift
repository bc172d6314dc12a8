import CNI
import HostLocalPlugin
import IPAM
import JSON
import Posix
import TestSupport
import Testing

/// Runs the plugin in-process through the skel (environment, stdin and output injected).
func runInProcess(_ plugin: HostLocalPlugin, _ environment: [String: String], stdin: [UInt8]) -> (Int32, String) {
    let box = OutputBox()
    let sink = OutputSink(stdout: { box.append($0) }, stderr: { _ in })
    let code = Skel.run(
        plugin, environment: Environment(environment), stdin: { () throws(Errno) in stdin }, output: sink)
    return (code, String(decoding: box.bytes, as: UTF8.self))
}

final class OutputBox: @unchecked Sendable {
    var bytes: [UInt8] = []
    func append(_ more: [UInt8]) { bytes += more }
}

@Suite struct InProcessTests {
    let env = [
        "CNI_COMMAND": "ADD", "CNI_CONTAINERID": "c1", "CNI_NETNS": "/var/run/netns/x", "CNI_IFNAME": "eth0",
        "CNI_PATH": "/x"
    ]

    @Test func lockTimeoutIsTryAgainLater() throws {
        let network = try Network()
        try FileSystem.makeDirectories(network.directory)
        let held = try FileLock(path: network.directory + "/lock")
        let (code, out) = runInProcess(HostLocalPlugin(lockTimeoutMilliseconds: 50), env, stdin: network.config())
        _ = consume held
        #expect(code == 1)
        let json = try JSONValue.parse(network.normalized(out))
        #expect(json.objectValue?["code"] == 11)
        expectGolden(json, "error-11-lock-timeout.expected.json")
    }

    @Test func rebootReclaimThroughThePlugin() throws {
        let network = try Network()
        let boot = BootSource(bootIDPath: network.dataDir + "/fake_boot_id", statPath: network.dataDir + "/fake_stat")
        try FileSystem.writeFileAtomically(boot.bootIDPath, Array("boot-a\n".utf8))
        try FileSystem.writeFileAtomically(boot.statPath, Array("btime \(Clock.now() + 3600)\n".utf8))  // "future" boot
        let plugin = HostLocalPlugin(boot: boot)
        #expect(runInProcess(plugin, env, stdin: network.config()).0 == 0)  // marker says boot-a now
        try FileSystem.writeFileAtomically(boot.bootIDPath, Array("boot-b\n".utf8))
        var second = env
        second["CNI_CONTAINERID"] = "c2"
        let (code, out) = runInProcess(plugin, second, stdin: network.config())
        #expect(code == 0)
        // c1's reservation predates boot-b's btime, so it was released before c2 was allocated.
        #expect(try network.reservations() == ["10.10.0.3": "c2\r\neth0"], "\(out)")

        network.ipam["reclaimAfterReboot"] = false
        try FileSystem.writeFileAtomically(boot.bootIDPath, Array("boot-c\n".utf8))
        second["CNI_CONTAINERID"] = "c3"
        #expect(runInProcess(plugin, second, stdin: network.config()).0 == 0)
        #expect(try network.reservations().count == 2)
    }
}
