import Firewall
import JSON
import TestSupport
import Testing

@Suite(.serialized, .enabled(if: TestEnvironment.integrationEnabled))
struct MasqueradeIntegrationTests {
    /// iptables: chain + POSTROUTING jump after ADD (dual stack: both iptables and ip6tables), CHECK sees them,
    /// all gone after DEL.
    @Test func iptablesRulesFollowTheAttachment() throws {
        guard requireNetNS() else { return }
        let h = try BridgeHarness(["isGateway": true, "ipMasq": true], subnets: ["10.77.0.0/24", "fd77::/64"])
        let pod = try h.pod()
        let result = try h.add(pod)
        let v4 = try h.nat()
        let v6 = try h.nat("ip6tables")
        #expect(
            v4.contains(#"-A POSTROUTING -s 10.77.0.2/32 -m comment --comment "name: \"brtest\" id: \"c1\"" -j CNI-"#))
        #expect(v4.contains("! -d 224.0.0.0/4") && v6.contains("! -d ff00::/8") && v6.contains("-s fd77::2/128"))
        #expect(try h.run("CHECK", pod, config: h.config(withPrevResult: result)).exitCode == 0)
        #expect(try h.run("DEL", pod).exitCode == 0)
        #expect(try !h.nat().contains("CNI-") && !h.nat("ip6tables").contains("CNI-"))
    }

    @Test func nftablesRulesFollowTheAttachment() throws {
        guard requireNetNS() else { return }
        let h = try BridgeHarness(["isGateway": true, "ipMasq": true, "ipMasqBackend": "nftables"])
        let pod = try h.pod()
        let result = try h.add(pod)
        let ruleset = try h.nftRuleset()
        #expect(ruleset.contains("ip saddr 10.77.0.2 ip daddr != 10.77.0.0/24 masquerade comment"))
        #expect(ruleset.contains("net: brtest, if: eth0, id: c1"))
        #expect(try h.run("CHECK", pod, config: h.config(withPrevResult: result)).exitCode == 0)
        #expect(try h.run("DEL", pod).exitCode == 0)
        #expect(try !h.nftRuleset().contains("masquerade comment"))
        #expect(try !h.nat().contains("CNI-"))
    }

    /// CHECK notices a masquerade rule that went missing.
    @Test func checkReportsMissingRules() throws {
        guard requireNetNS() else { return }
        let h = try BridgeHarness(["ipMasq": true])
        let pod = try h.pod()
        let result = try h.add(pod)
        try h.host.exec(["iptables", "-t", "nat", "-F", "POSTROUTING"])
        let check = try h.run("CHECK", pod, config: h.config(withPrevResult: result))
        #expect(check.exitCode == 1 && check.message.contains("POSTROUTING"))
    }

    /// The pod netns is deleted before DEL (reboot, runtime crash): DEL still releases IPAM and removes the rules of
    /// both backends, found by attachment identity (the reference leaks them, plugins#810).
    @Test(arguments: ["iptables", "nftables"]) func delAfterNetnsIsGone(_ backend: String) throws {
        guard requireNetNS() else { return }
        let h = try BridgeHarness(["isGateway": true, "ipMasq": true, "ipMasqBackend": .string(backend)])
        var pod: TestNamespace? = try h.pod()
        let path = pod!.path
        _ = try h.add(pod!)
        #expect(h.reservations().count == 1)
        pod = nil  // deletes the namespace (and with it the veth pair)
        let del = try h.run("DEL", nil, netns: path)
        #expect(del.exitCode == 0, "\(del.stdout)")
        #expect(h.reservations().isEmpty)
        #expect(try !h.nat().contains("CNI-") && !h.nftRuleset().contains("masquerade comment"))
        #expect(try h.run("DEL", nil, netns: path).exitCode == 0)
        #expect(try h.run("DEL", nil, netns: "").exitCode == 0)  // CNI_NETNS empty is allowed on DEL
    }

    /// GC removes the rules of attachments that are not valid any more and keeps the others.
    @Test func gcRemovesStaleRules() throws {
        guard requireNetNS() else { return }
        // Debian's Go host-local (1.1.1) does not speak 1.1.0: ADD with 1.0.0, and GC with 1.1.0 goes to ours only.
        let ipam = Implementation.available(["host-local"]).last ?? .go  // under CI=true always ours (fails if missing)
        let h = try BridgeHarness(["ipMasq": true], ipam: ipam)
        let (pod1, pod2) = (try h.pod(), try h.pod())
        _ = try h.add(pod1, id: "c1")
        _ = try h.add(pod2, id: "c2")
        var gc = h.config
        gc["cniVersion"] = "1.1.0"
        if ipam == .go { gc["ipam"] = nil }
        gc["cni.dev/valid-attachments"] = [["containerID": "c2", "ifname": "eth0"]]
        let out = try h.run("GC", nil, config: gc)
        #expect(out.exitCode == 0, "\(out.stdout)")
        let nat = try h.nat()
        #expect(!nat.contains(#"id: \"c1\""#) && nat.contains(#"id: \"c2\""#))
        if ipam == .swift { #expect(h.reservations() == ["10.77.0.3"]) }  // GC reached IPAM too
    }

    /// macspoofchk: nft bridge-family rules allow only the container MAC from the host veth; DEL removes them.
    @Test func macSpoofCheckRules() throws {
        guard requireNetNS() else { return }
        let h = try BridgeHarness(["isGateway": true, "macspoofchk": true])
        h.config["runtimeConfig"] = ["mac": "02:aa:bb:cc:dd:01"]
        let pod = try h.pod()
        let result = try h.add(pod)
        let ruleset = try h.nftRuleset()
        #expect(ruleset.contains("table bridge nat") && ruleset.contains("cni-br-iface-c1-eth0"))
        #expect(ruleset.contains("ether saddr 02:aa:bb:cc:dd:01 return") && ruleset.contains("macspoofchk-c1-eth0"))
        if result.interfaceNames.count > 1 { #expect(ruleset.contains("iifname \"\(result.interfaceNames[1])\"")) }
        #expect(try h.run("DEL", pod).exitCode == 0)
        #expect(try !h.nftRuleset().contains("macspoofchk-c1-eth0"))
    }
}
