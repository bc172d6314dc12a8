import JSON
import Posix
import TestSupport
import Testing

/// A failed ADD leaves nothing behind: no veth, no container interface, no reservation, no rule, no address.
@Suite(.serialized, .enabled(if: TestEnvironment.integrationEnabled))
struct RollbackIntegrationTests {
    func expectNothingLeft(_ h: BridgeHarness, _ pod: TestNamespace, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        #expect(
            try h.hostVeths().allSatisfy { $0.hasPrefix("oldpod") }, "host veths left", sourceLocation: sourceLocation)
        #expect(try !pod.ip("-o", "link").contains("eth0"), "container interface left", sourceLocation: sourceLocation)
        #expect(h.reservations().isEmpty, "IPAM reservation left", sourceLocation: sourceLocation)
        #expect(try !h.nat().contains("CNI-"), "iptables rules left", sourceLocation: sourceLocation)
    }

    /// The IPAM plugin fails: its error JSON comes back unchanged, the veth is gone.
    @Test func failingIPAM() throws {
        guard requireNetNS() else { return }
        let h = try BridgeHarness(["isGateway": true])
        try h.installScript("failipam", #"echo '{"cniVersion":"1.0.0","code":11,"msg":"ipam exploded"}'; exit 1"#)
        h.config["ipam"] = ["type": "failipam"]
        let pod = try h.pod()
        let out = try h.run("ADD", pod)
        #expect(out.exitCode == 1 && out.code == 11 && out.message == "ipam exploded", "\(out.stdout)\(out.stderr)")
        try expectNothingLeft(h, pod)
    }

    /// ADD starts host-local before parsing its config (`prepare`); with another IPAM type, or a config that is
    /// refused, that process is killed before it read a byte and reaped before bridge exits.
    @Test func prestartedHostLocalNeverActsWhenNotUsed() throws {
        guard requireNetNS() else { return }
        let h = try BridgeHarness(["isGateway": true])
        let marks = h.temp.path
        _ = try FileSystem.removeFile(h.cniPath + "/host-local")
        // `read` is a builtin: no subshell that could outlive the killed script (a `$(cat)` fork could be seen
        // running for a moment after the SIGKILL). It writes `acted` even on EOF, so an orphan would be caught.
        try h.installScript("host-local", #"IFS= read -r config; echo "$config" > "\#(marks)/acted""#)
        let result = #"{"cniVersion":"1.0.0","ips":[{"address":"10.77.0.9/24","gateway":"10.77.0.1"}]}"#
        try h.installScript("otheripam", "cat >/dev/null; echo '\(result)'")
        let pod = try h.pod()

        h.config["ipam"] = ["type": "otheripam"]
        let viaOther = try h.run("ADD", pod)
        #expect(viaOther.exitCode == 0, "\(viaOther.stdout)\(viaOther.stderr)")
        #expect(viaOther.object?.ips == ["10.77.0.9/24"])
        #expect(processes(running: h.cniPath + "/host-local").isEmpty)

        var refused = h.config
        refused["hairpinMode"] = true
        refused["promiscMode"] = true
        refused["ipam"] = ["type": "host-local"]
        let bad = try h.run("ADD", pod, id: "c2", config: refused)
        #expect(bad.exitCode == 1 && bad.code == 7, "\(bad.stdout)")
        #expect(processes(running: h.cniPath + "/host-local").isEmpty)

        Clock.sleep(milliseconds: 50)
        #expect(!FileSystem.exists(marks + "/acted"), "a prestarted host-local read its config")
        #expect(try h.run("DEL", pod).exitCode == 0)
    }

    /// An IPAM that prints a result for 10.77.0.9 (the ADD goes ahead with it at once), sleeps 0.3 s, then `ending`.
    func lateIPAM(ending: String) throws -> (BridgeHarness, TestNamespace, PluginOutput) {
        let h = try BridgeHarness(["isGateway": true])
        let result = #"{"cniVersion":"1.0.0","ips":[{"address":"10.77.0.9/24","gateway":"10.77.0.1"}]}"#
        try h.installScript("lateipam", "cat >/dev/null; echo '\(result)'; sleep 0.3; \(ending)")
        h.config["ipam"] = ["type": "lateipam"]
        let pod = try h.pod()
        return (h, pod, try h.run("ADD", pod))
    }

    /// The exit status is confirmed before the ADD commits: an IPAM that prints a result and then fails (or adds
    /// garbage after it) fails the ADD, which leaves nothing behind.
    @Test(arguments: [("exit 1", Int64(999)), ("echo trailing; exit 0", Int64(6))])
    func ipamThatFailsAfterPrintingAResult(ending: String, code: Int64) throws {
        guard requireNetNS() else { return }
        let (h, pod, out) = try lateIPAM(ending: ending)
        #expect(out.exitCode == 1 && out.code == code, "\(out.stdout)\(out.stderr)")
        try expectNothingLeft(h, pod)
        #expect(try !h.host.ip("-o", "addr", "show", "dev", "cni0").contains("10.77.0.1"))
    }

    /// An IPAM that takes its time to exit after printing still succeeds, with its result.
    @Test func ipamThatExitsLateAfterPrinting() throws {
        guard requireNetNS() else { return }
        let (_, pod, out) = try lateIPAM(ending: "exit 0")
        #expect(out.exitCode == 0, "\(out.stdout)\(out.stderr)")
        #expect(try pod.ip("-o", "addr", "show", "dev", "eth0").contains("10.77.0.9/24"))
    }

    /// IPAM succeeded, addresses and gateway are configured, then masquerading fails (a broken `nft`): IPAM DEL runs,
    /// the veth pair and the bridge address this ADD added are removed, no rule remains.
    @Test func failureAfterIPAM() throws {
        guard requireNetNS() else { return }
        let h = try BridgeHarness(["isGateway": true, "ipMasq": true, "ipMasqBackend": "nftables"])
        let fakeBin = h.temp.path + "/fakebin"
        try run(["mkdir", "-p", fakeBin])
        try h.installScript("nft", "echo 'Error: simulated failure' >&2; exit 1", inDirectory: fakeBin)
        h.extraPath = [fakeBin]
        let pod = try h.pod()
        let out = try h.run("ADD", pod)
        #expect(out.exitCode == 1 && out.message.contains("simulated failure"), "\(out.stdout)")
        try expectNothingLeft(h, pod)
        #expect(try !h.host.ip("-o", "addr", "show", "dev", "cni0").contains("10.77.0.1"))
    }

    /// cni.md §4 item 1: cni0 keeps an address from an old subnet. Without pods on the bridge it is replaced (and
    /// said so on stderr); with pods attached ADD fails with the reference's message plus a hint; `forceAddress`
    /// replaces it anyway.
    @Test func staleBridgeAddress() throws {
        guard requireNetNS() else { return }
        let h = try BridgeHarness(["isGateway": true])
        try h.host.ip("link", "add", "cni0", "type", "bridge")
        try h.host.ip("addr", "add", "10.55.0.1/24", "dev", "cni0")
        try h.host.ip("link", "set", "cni0", "up")
        let pod = try h.pod()
        let out = try h.run("ADD", pod)
        #expect(out.exitCode == 0, "\(out.stdout)")
        #expect(out.stderr.contains("replacing stale address 10.55.0.1/24"))
        let addresses = try h.host.ip("-o", "-4", "addr", "show", "dev", "cni0")
        #expect(addresses.contains("10.77.0.1/24") && !addresses.contains("10.55.0.1"))
    }

    @Test func staleBridgeAddressWithPodsAttached() throws {
        guard requireNetNS() else { return }
        let h = try BridgeHarness(["isGateway": true])
        try h.host.ip("link", "add", "cni0", "type", "bridge")
        try h.host.ip("addr", "add", "10.55.0.1/24", "dev", "cni0")
        try h.host.ip("link", "add", "oldpod", "type", "veth", "peer", "name", "oldpod-peer")
        try h.host.ip("link", "set", "oldpod", "master", "cni0")
        let pod = try h.pod()
        let out = try h.run("ADD", pod)
        #expect(out.exitCode == 1 && out.code == 7)
        #expect(
            out.message.contains(
                #"failed to set bridge addr: "cni0" already has an IP address different from 10.77.0.1/24"#))
        #expect(out.message.contains("forceAddress") && out.message.contains("1 other attached port"))
        try expectNothingLeft(h, pod)
        #expect(try h.host.ip("-o", "-4", "addr", "show", "dev", "cni0").contains("10.55.0.1/24"))

        h.config["forceAddress"] = true
        #expect(try h.run("ADD", pod).exitCode == 0)
        #expect(try !h.host.ip("-o", "-4", "addr", "show", "dev", "cni0").contains("10.55.0.1"))
    }
}
