import JSON
import Posix
import TestSupport
import Testing

/// ADD and DEL of a pod hold an exclusive flock on its netns file, so a runtime's DEL waits for an ADD still at work
/// (the orphaned bridge of a killed flannel) instead of running beside it (scripts/crash.sh found both: an orphan's
/// ADD completing after the DEL and leaking veth, reservation and masquerade rules; and a DEL failing on rules the
/// ADD was still writing).
@Suite(.serialized, .enabled(if: TestEnvironment.integrationEnabled))
struct NamespaceLockIntegrationTests {
    @Test func delWaitsWhileTheNamespaceIsLocked() throws {
        guard requireNetNS() else { return }
        let h = try BridgeHarness(["ipMasq": true], ipam: Implementation.available(["host-local"]).last ?? .go)
        let pod = try h.pod()
        _ = try h.add(pod)
        var lock: FileLock? = try FileLock(path: pod.path, create: false, timeoutMilliseconds: 0)
        let del = BackgroundTask { try h.run("DEL", pod) }
        // An unhindered DEL takes well under 0.2 s here; this one must still be waiting after a second.
        Clock.sleep(milliseconds: 1000)
        #expect(try pod.ip("-o", "link", "show").contains("eth0"), "DEL ran while an ADD held the namespace")
        #expect(h.reservations().count == 1)
        lock = nil
        let out = try del.wait()
        #expect(out.exitCode == 0, "\(out)")
        #expect(try !pod.ip("-o", "link", "show").contains("eth0") && h.reservations().isEmpty)
        #expect(try !h.nat().contains("CNI-"))
        _ = lock
    }

    @Test func addWaitsWhileTheNamespaceIsLocked() throws {
        guard requireNetNS() else { return }
        let h = try BridgeHarness([:], ipam: Implementation.available(["host-local"]).last ?? .go)
        let pod = try h.pod()
        var lock: FileLock? = try FileLock(path: pod.path, create: false, timeoutMilliseconds: 0)
        let add = BackgroundTask { try h.run("ADD", pod) }
        Clock.sleep(milliseconds: 1000)
        #expect(try !pod.ip("-o", "link", "show").contains("eth0"), "ADD ran while a DEL held the namespace")
        #expect(h.reservations().isEmpty)
        lock = nil
        let out = try add.wait()
        #expect(out.exitCode == 0, "\(out)")
        #expect(try pod.ip("-o", "link", "show").contains("eth0") && h.reservations().count == 1)
        #expect(try h.run("DEL", pod).exitCode == 0)
        _ = lock
    }

    /// The lock outlives a killed bridge while a process it started still runs: a runtime's DEL right after the kill
    /// waits for the orphaned IPAM's ADD and then releases its address (without the inherited lock the DEL ran first
    /// and the orphan's reservation stayed for good, as scripts/crash.sh found with flannel's orphaned bridge).
    @Test func delAfterAKilledAddWaitsForItsOrphans() throws {
        guard requireNetNS() else { return }
        let ipam = Implementation.available(["host-local"]).last ?? .go
        let h = try BridgeHarness([:], ipam: ipam)
        _ = try FileSystem.removeFile(h.cniPath + "/host-local")
        try h.installScript("host-local", "[ \"$CNI_COMMAND\" = ADD ] && sleep 1\nexec \(ipam.path("host-local"))")
        let pod = try h.pod()
        let config = h.temp.path + "/config.json"
        try FileSystem.writeFileAtomically(config, JSONValue.object(h.config).bytes())
        // The bridge ADD is killed while its IPAM child sleeps; the child (stderr not ours) runs on.
        let add =
            "ip netns exec \(h.host.name) env -i CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_IFNAME=eth0 "
            + "CNI_NETNS=\(pod.path) CNI_PATH=\(h.cniPath) PATH=/usr/sbin:/usr/bin:/sbin:/bin \(h.pluginPath) "
            + "< \(config) > /dev/null 2>&1 & pid=$!; sleep 0.4; kill -9 $pid; wait $pid; exit 0"
        try run(["sh", "-c", add])
        let del = try h.run("DEL", pod)
        #expect(del.exitCode == 0, "\(del)")
        Clock.sleep(milliseconds: 1500)  // any orphan is done by now
        #expect(h.reservations().isEmpty, "the orphaned IPAM reserved after the DEL: \(h.reservations())")
        #expect(try !pod.ip("-o", "link", "show").contains("eth0"))
    }

    /// A netns path that is gone does not block a DEL (nothing to lock, nothing left in it).
    @Test func delOfAGoneNamespaceNeedsNoLock() throws {
        guard requireNetNS() else { return }
        let h = try BridgeHarness([:], ipam: Implementation.available(["host-local"]).last ?? .go)
        let out = try h.run("DEL", nil, netns: "/run/netns/gone-\(TestEnvironment.uniqueName("x"))")
        #expect(out.exitCode == 0, "\(out)")
    }
}
