import JSON
import TestSupport
import Testing

@Suite(.serialized, .enabled(if: TestEnvironment.integrationEnabled))
struct LifecycleIntegrationTests {
    struct Family: Sendable, CustomTestStringConvertible {
        var name: String
        var subnets: [String]
        var gateways: [String]
        var testDescription: String { name }
    }

    static let families = [
        Family(name: "IPv4", subnets: ["10.77.0.0/24"], gateways: ["10.77.0.1"]),
        Family(name: "IPv6", subnets: ["fd77::/64"], gateways: ["fd77::1"]),
        Family(name: "dual stack", subnets: ["10.77.0.0/24", "fd77::/64"], gateways: ["10.77.0.1", "fd77::1"])
    ]

    /// ADD → CHECK → DEL → DEL with two pods that reach each other and the gateway; per family and IPAM.
    @Test(arguments: families, Implementation.available(["host-local"]))
    func addCheckDelDel(_ family: Family, _ ipam: Implementation) throws {
        guard requireNetNS() else { return }
        let h = try BridgeHarness(["isDefaultGateway": true], subnets: family.subnets, ipam: ipam)
        let (pod1, pod2) = (try h.pod(), try h.pod())
        let r1 = try h.add(pod1, id: "c1")
        let r2 = try h.add(pod2, id: "c2")
        #expect(r1.interfaceNames.count == 3 && r1.interfaceNames.first == "cni0" && r1.interfaceNames.last == "eth0")
        #expect(r1["ips"]?.arrayValue?.allSatisfy { $0.objectValue?["interface"] == 2 } == true)
        #expect(r1.ips.count == family.subnets.count && r2.ips.count == family.subnets.count)
        let bridgeAddresses = try h.host.ip("-o", "addr", "show", "dev", "cni0")
        for gateway in family.gateways { #expect(bridgeAddresses.contains(gateway + "/")) }
        for (address, gateway) in zip(r2.ips, family.gateways) {
            #expect(try h.ping(from: pod1, host(address)), "pod1 → pod2 \(address)")
            #expect(try h.ping(from: pod1, gateway), "pod1 → gateway \(gateway)")
        }
        let check = try h.run("CHECK", pod1, id: "c1", config: h.config(withPrevResult: r1))
        #expect(check.exitCode == 0, "CHECK: \(check.stdout)")
        for _ in 0..<2 {
            let del = try h.run("DEL", pod1, id: "c1")
            #expect(del.exitCode == 0, "DEL: \(del.stdout)")
        }
        #expect(try pod1.ip("-o", "link").contains("eth0") == false)
        #expect(h.reservations().count == family.subnets.count)  // only pod2's
        let checkAfter = try h.run("CHECK", pod1, id: "c1", config: h.config(withPrevResult: r1))
        #expect(checkAfter.exitCode != 0)
        #expect(try h.run("DEL", pod2, id: "c2").exitCode == 0)
        #expect(try h.reservations().isEmpty && h.hostVeths().isEmpty)
        #expect(try h.host.ip("-o", "link", "show", "cni0").contains("cni0"))  // DEL never deletes the bridge
    }

    @Test func hairpinMTUAndIsolation() throws {
        guard requireNetNS() else { return }
        let h = try BridgeHarness(["isGateway": true, "hairpinMode": true, "portIsolation": true, "mtu": 1400])
        let pod = try h.pod()
        let result = try h.add(pod)
        let veth = result.interfaceNames[1]
        let details = try h.host.ip("-d", "link", "show", veth)
        #expect(details.contains("hairpin on") && details.contains("isolated on") && details.contains("mtu 1400"))
        // Both ends created with one queue each way (VethPair.queues), not one per CPU cut back to one.
        #expect(details.contains("numtxqueues 1 numrxqueues 1"))
        #expect(try pod.ip("-d", "link", "show", "eth0").contains("numtxqueues 1 numrxqueues 1"))
        #expect(try pod.ip("link", "show", "eth0").contains("mtu 1400"))
        #expect(try h.host.ip("link", "show", "cni0").contains("mtu 1400"))
        #expect(veth.hasPrefix("veth") && veth.count == 12)
        #expect(try h.run("DEL", pod).exitCode == 0)
    }

    /// VLAN filtering needs CONFIG_BRIDGE_VLAN_FILTERING; without it, ADD must fail cleanly with a clear error.
    static let kernelHasVLANFiltering: Bool = {
        guard TestEnvironment.canManageNetNS, let ns = try? TestNamespace("brvl") else { return false }  // probe only
        let out = try? ns.exec(["ip", "link", "add", "br0", "type", "bridge", "vlan_filtering", "1"], check: false)
        return out?.exitCode == 0
    }()

    @Test func vlanAndTrunk() throws {
        guard requireNetNS() else { return }
        let h = try BridgeHarness([
            "isGateway": true, "vlan": 100, "vlanTrunk": [["id": 200], ["minID": 300, "maxID": 302]]
        ])
        let pod = try h.pod()
        guard Self.kernelHasVLANFiltering else {
            let out = try h.run("ADD", pod)
            #expect(out.exitCode == 1 && out.message.contains("CONFIG_BRIDGE_VLAN_FILTERING"), "\(out.stdout)")
            #expect(try h.hostVeths().isEmpty && h.reservations().isEmpty)
            #expect(try !pod.ip("-o", "link").contains("eth0"))
            return
        }
        let result = try h.add(pod)
        #expect(result.interfaceNames.count == 4 && result.interfaceNames.last == "cni0.100")
        guard result.interfaceNames.count >= 2 else { return }
        let veth = result.interfaceNames[1]
        #expect(try h.host.ip("-d", "link", "show", "cni0").contains("vlan_filtering 1"))
        let table = String(decoding: try h.host.exec(["bridge", "vlan", "show", "dev", veth]).stdout, as: UTF8.self)
        #expect(table.contains("100 PVID Egress Untagged"))
        for id in ["200", "300", "301", "302"] { #expect(table.contains(" \(id)")) }
        #expect(!table.contains(" 1 PVID"))  // default VLAN removed
        #expect(try h.host.ip("-o", "addr", "show", "dev", "cni0.100").contains("10.77.0.1/24"))
        #expect(try h.ping(from: pod, "10.77.0.1"))
        #expect(try h.run("DEL", pod).exitCode == 0)
    }

    @Test func trunkOnlyGetsNativeVLAN1() throws {
        guard requireNetNS() else { return }
        let h = try BridgeHarness(["vlanTrunk": [["id": 20]]])
        let pod = try h.pod()
        guard Self.kernelHasVLANFiltering else {  // then the clean failure is what is tested
            let out = try h.run("ADD", pod)
            #expect(out.exitCode == 1 && out.message.contains("CONFIG_BRIDGE_VLAN_FILTERING"), "\(out.stdout)")
            return #expect(try h.hostVeths().isEmpty && h.reservations().isEmpty)
        }
        let names = try h.add(pod).interfaceNames
        guard names.count >= 2 else { return }
        let table = String(decoding: try h.host.exec(["bridge", "vlan", "show", "dev", names[1]]).stdout, as: UTF8.self)
        #expect(table.contains("1 PVID Egress Untagged") && table.contains("20"))
    }

    /// `ipam: {}`: layer 2 only, the container interface is up without addresses.
    @Test func layer2Only() throws {
        guard requireNetNS() else { return }
        let h = try BridgeHarness()
        h.config["ipam"] = [:]
        let pod = try h.pod()
        let result = try h.add(pod)
        #expect(result["ips"] == nil && result.interfaceNames.count == 3)
        #expect(try pod.ip("link", "show", "eth0").contains("UP"))
        #expect(try h.run("DEL", pod).exitCode == 0)
    }

    /// The requested MAC (runtimeConfig beats CNI_ARGS) ends up on the container interface and in the result.
    @Test func requestedMAC() throws {
        guard requireNetNS() else { return }
        let h = try BridgeHarness()
        h.config["runtimeConfig"] = ["mac": "02:12:34:56:78:9a"]
        let pod = try h.pod()
        let out = try h.run("ADD", pod, args: "IgnoreUnknown=1;MAC=02:00:00:00:00:01;K8S_POD_NAME=x")
        #expect(out.exitCode == 0, "\(out.stdout)")
        #expect(try pod.ip("link", "show", "eth0").contains("02:12:34:56:78:9a"))
        #expect(out.stdout.contains("02:12:34:56:78:9a"))
    }

    /// Results come back in the config's version (0.3.1 as kube-flannel, 0.2.0 legacy shape).
    @Test(arguments: ["0.3.1", "0.2.0"]) func resultVersion(_ version: String) throws {
        guard requireNetNS() else { return }
        let h = try BridgeHarness(["isGateway": true], version: version)
        let result = try h.add(try h.pod())
        #expect(result["cniVersion"] == .string(version))
        if version == "0.2.0" {
            #expect(result["ip4"] != nil)
        } else {
            #expect(result["ips"]?.arrayValue?.first?.objectValue?["version"] == "4")
        }
    }

    /// A bridge whose last port went away reports MAC 00:00:00:00:00:00; pinning that fails in the reference
    /// ("could not set bridge's mac"). Ours pins the MAC the bridge has after this ADD's port joined.
    @Test func gatewayOnBridgeWhoseLastPortLeft() throws {
        guard requireNetNS() else { return }
        let h = try BridgeHarness(["isGateway": true])
        let l3 = h.config
        h.config["ipam"] = [:]
        let pod = try h.pod()
        _ = try h.add(pod, id: "l2")
        #expect(try h.run("DEL", pod, id: "l2").exitCode == 0)
        h.config = l3
        let result = try h.add(pod, id: "l3")
        let mac = result["interfaces"]?.arrayValue?.first?.objectValue?["mac"]?.stringValue
        #expect(mac != nil && mac != "00:00:00:00:00:00")
    }
}
