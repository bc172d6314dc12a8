import JSON
import Posix
import TestSupport
import Testing

/// The built `flannel` binary driving real delegates (Go reference bridge + host-local, and ours when
/// built) in namespaces this suite creates. Needs root; fails instead of skipping under CI=true.
@Suite(.serialized, .enabled(if: TestEnvironment.integrationEnabled))
struct ChainTests {
    struct Stack: Sendable, CustomStringConvertible {
        var description: String
        var subnetEnv: String
        var addresses: [String]
    }

    static let stacks = [
        Stack(description: "ipv4", subnetEnv: "subnet.env", addresses: ["10.244.1.2/24"]),
        Stack(
            description: "dualstack", subnetEnv: "subnet-dualstack.env",
            addresses: ["10.244.1.2/24", "2001:db8:42:1::2/64"])
    ]

    /// ADD → CHECK (1.0.0 with prevResult) → DEL → DEL, with the file and reservation lifecycle.
    @Test(arguments: Implementation.available(Implementation.delegates), stacks)
    func addCheckDelDel(chain: Implementation, stack: Stack) throws {
        guard requireNetNS() else { return }
        let node = try FlannelNode(chain, subnetEnv: stack.subnetEnv)
        let pod = try node.makePod()
        let config = try node.config("1.0.0")

        let add = try node.flannel("ADD", config, containerID: "c1", pod: pod)
        try #require(add.exitCode == 0, "\(add)")
        let result = try #require(add.object)
        #expect(result["cniVersion"] == "1.0.0")
        let ips = result["ips"]?.arrayValue?.compactMap { $0.objectValue?["address"]?.stringValue } ?? []
        #expect(ips == stack.addresses)
        #expect(node.storedFiles() == ["c1"])
        #expect(try permissions(node.dataDir) == 0o700 && permissions(node.dataDir + "/c1") == 0o600)
        #expect(node.reservations() == stack.addresses.map { String($0.split(separator: "/")[0]) }.sorted())
        for address in stack.addresses { #expect(pod.eth0Addresses().contains(address)) }

        try check(node, config, prevResult: result, pod: pod)

        let del = try node.flannel("DEL", config, containerID: "c1", pod: pod)
        #expect(del.exitCode == 0, "\(del)")
        #expect(node.storedFiles().isEmpty)
        #expect(node.reservations().isEmpty, "host-local released the addresses")
        #expect(pod.eth0Addresses().isEmpty, "eth0 is gone")

        let again = try node.flannel("DEL", config, containerID: "c1", pod: pod)
        #expect(again.exitCode == 0, "\(again)")
    }

    /// CHECK with flannel's prevResult passes with either delegate chain. With ours, bridge's CHECK runs (and
    /// would fail on a broken pod, `checkFindsABrokenPod`); Debian's Go bridge (v1.1.1) gets none, as under the
    /// reference flannel: its CHECK demands a `gw` match for flannel's gateway-less routes (fixed upstream in
    /// containernetworking/plugins c347755f), which would fail every CHECK on a node that swapped only flannel.
    private func check(_ node: FlannelNode, _ config: String, prevResult: JSONObject, pod: TestNamespace) throws {
        var request = try #require(try JSONValue.parse(config).objectValue)
        request["prevResult"] = .object(prevResult)
        let check = try node.flannel("CHECK", JSONValue.object(request).serialized(), containerID: "c1", pod: pod)
        #expect(check.exitCode == 0, "\(check)")
        #expect(check.stderr.contains("CHECK verified the stored delegate config only") == (node.chain == .go))
    }

    /// Where the delegate is ours, flannel's CHECK is the bridge's full CHECK: a pod whose address was removed fails
    /// it. With the Go delegates it passes, as it did under the reference flannel (whose CHECK does nothing).
    @Test(arguments: Implementation.available(Implementation.delegates))
    func checkFindsABrokenPod(chain: Implementation) throws {
        guard requireNetNS() else { return }
        let node = try FlannelNode(chain)
        let pod = try node.makePod()
        let config = try node.config("1.0.0")
        let add = try node.flannel("ADD", config, containerID: "c1", pod: pod)
        try #require(add.exitCode == 0, "\(add)")
        try pod.ip("addr", "flush", "dev", "eth0")
        var request = try #require(try JSONValue.parse(config).objectValue)
        request["prevResult"] = .object(try #require(add.object))
        let check = try node.flannel("CHECK", JSONValue.object(request).serialized(), containerID: "c1", pod: pod)
        #expect((check.exitCode == 0) == (chain == .go), "\(check)")
        #expect(try node.flannel("DEL", config, containerID: "c1", pod: pod).exitCode == 0)
        #expect(node.reservations().isEmpty && node.storedFiles().isEmpty)
    }

    /// The kube-flannel conflist (0.3.1): the stored file is the §3.6 document the Go plugin stores.
    @Test(arguments: Implementation.available(Implementation.delegates))
    func kubeFlannelConfigStoresTheReferenceDelegate(chain: Implementation) throws {
        guard requireNetNS() else { return }
        let node = try FlannelNode(chain)
        let pod = try node.makePod()
        let config = try node.config("0.3.1")
        let add = try node.flannel("ADD", config, containerID: "c1", pod: pod)
        try #require(add.exitCode == 0, "\(add)")
        let ip = add.object?["ips"]?.arrayValue?.first?.objectValue
        #expect(ip?["version"] == "4" && ip?["address"] == "10.244.1.2/24" && ip?["gateway"] == "10.244.1.1")

        var expected = try #require(
            try JSONValue.parse(try readFixture("delegate/kube-default.expected.json")).objectValue)
        var ipam = try #require(expected["ipam"]?.objectValue)
        ipam["dataDir"] = .string(node.ipamDir)
        expected["ipam"] = .object(ipam)
        #expect(try node.stored("c1") == .object(expected))
        #expect(try node.host.ip("-o", "addr", "show", "dev", "cni0").contains("10.244.1.1/24"))

        #expect(try node.flannel("DEL", config, containerID: "c1", pod: pod).exitCode == 0)
        #expect(node.reservations().isEmpty)
    }

    /// flannel starts the delegate before it reads subnet.env and stores the file (to overlap their start-up
    /// costs); when that fails the delegate is killed before it got a config: no file, no address, no interface.
    @Test(arguments: Implementation.available(Implementation.delegates))
    func addWithoutSubnetEnvLeavesNothing(chain: Implementation) throws {
        guard requireNetNS() else { return }
        let node = try FlannelNode(chain)
        let pod = try node.makePod()
        _ = try FileSystem.removeFile(node.subnetFile)
        let add = try node.flannel("ADD", try node.config("0.3.1"), containerID: "c1", pod: pod)
        #expect(add.exitCode != 0)
        #expect(
            add.object?["msg"]?.stringValue?.hasPrefix("failed to load flannel 'subnet.env' file") == true, "\(add)")
        #expect(node.storedFiles().isEmpty)
        #expect(node.reservations().isEmpty)
        #expect(pod.eth0Addresses().isEmpty)
        #expect(!(try node.host.ip("-o", "link", "show")).contains("cni0"))
    }

    enum Damage: String, CaseIterable, Sendable { case deleted, corrupted, emptied }

    /// The reference skips the delegate here and leaks the address; we rebuild and release it.
    @Test(arguments: Implementation.available(Implementation.delegates), Damage.allCases)
    func delReleasesTheAddressWhenTheFileIsDamaged(chain: Implementation, damage: Damage) throws {
        guard requireNetNS() else { return }
        let node = try FlannelNode(chain)
        let pod = try node.makePod()
        let config = try node.config("0.3.1")
        try #require(try node.flannel("ADD", config, containerID: "c1", pod: pod).exitCode == 0)
        let path = node.dataDir + "/c1"
        switch damage {
        case .deleted: _ = try FileSystem.removeFile(path)
        case .corrupted: try FileSystem.writeFileAtomically(path, Array(#"{"cniVersion":"0.3.1","na"#.utf8))
        case .emptied: try FileSystem.writeFileAtomically(path, [])
        }
        let del = try node.flannel("DEL", config, containerID: "c1", pod: pod)
        #expect(del.exitCode == 0, "\(del)")
        #expect(node.reservations().isEmpty, "the address was released")
        #expect(pod.eth0Addresses().isEmpty)
        #expect(node.storedFiles().isEmpty)
    }

    @Test(arguments: Implementation.available(Implementation.delegates))
    func delWithNeitherFileNorSubnetEnvSucceeds(chain: Implementation) throws {
        guard requireNetNS() else { return }
        let node = try FlannelNode(chain)
        _ = try FileSystem.removeFile(node.subnetFile)
        let del = try node.flannel("DEL", try node.config("0.3.1"), containerID: "never-added")
        #expect(del.exitCode == 0, "\(del)")
        #expect(del.stderr.contains("failed to load flannel 'subnet.env' file"))
    }

    /// A failed delegate DEL keeps the file (the reference deletes it, so its retry leaks the IP).
    @Test(arguments: Implementation.available(Implementation.delegates))
    func failedDelKeepsTheFileAndARetrySucceeds(chain: Implementation) throws {
        guard requireNetNS() else { return }
        let node = try FlannelNode(chain)
        let pod = try node.makePod()
        let config = try node.config("0.3.1")
        try #require(try node.flannel("ADD", config, containerID: "c1", pod: pod).exitCode == 0)

        try node.useFailingBridge()
        let failed = try node.flannel("DEL", config, containerID: "c1", pod: pod)
        #expect(failed.exitCode != 0)
        #expect(failed.object?["code"] == 11 && failed.object?["msg"] == "injected delegate failure")
        #expect(node.storedFiles() == ["c1"])
        #expect(node.reservations() == ["10.244.1.2"])

        try node.useRealBridge()
        let retried = try node.flannel("DEL", config, containerID: "c1", pod: pod)
        #expect(retried.exitCode == 0, "\(retried)")
        #expect(node.storedFiles().isEmpty)
        #expect(node.reservations().isEmpty)
        #expect(pod.eth0Addresses().isEmpty)
    }

    /// ADD starts the default delegate before reading its config (`prepare`); when the config names another
    /// delegate or the lease is unusable, that process is killed before it read a byte and is reaped before flannel
    /// exits. (Whether the script got as far as its first line depends on timing; that it never acts does not.)
    @Test func prestartedBridgeNeverActsWhenNotUsed() throws {
        guard requireNetNS() else { return }
        let node = try FlannelNode(.go)
        let pod = try node.makePod()
        let marks = node.scratch.path
        try node.installScript(#"config=$(cat); echo "$config" > "\#(marks)/acted""#)
        try FileSystem.writeFileAtomically(
            node.bin + "/mybridge",
            Array(
                #"""
                #!/bin/sh
                cat > "\#(marks)/mybridge-config"
                echo '{"cniVersion":"0.3.1","interfaces":[],"ips":[]}'

                """#.utf8), mode: 0o755)

        let other = try node.config("0.3.1", extra: ["delegate": ["type": "mybridge"]])
        let viaOther = try node.flannel("ADD", other, containerID: "c1", pod: pod)
        #expect(viaOther.exitCode == 0, "\(viaOther)")
        #expect(FileSystem.isRegularFile(marks + "/mybridge-config"))
        #expect(processes(running: node.bin + "/bridge").isEmpty)

        _ = try FileSystem.removeFile(node.subnetFile)
        let noLease = try node.flannel("ADD", try node.config("0.3.1"), containerID: "c2", pod: pod)
        #expect(noLease.object?["code"] == 11)
        #expect(processes(running: node.bin + "/bridge").isEmpty)

        Clock.sleep(milliseconds: 50)
        #expect(!FileSystem.exists(marks + "/acted"), "a prestarted bridge read its config")
        #expect(node.storedFiles() == ["c1"])
    }

    @Test(arguments: Implementation.available(Implementation.delegates))
    func statusReportsReadiness(chain: Implementation) throws {
        guard requireNetNS() else { return }
        let node = try FlannelNode(chain)
        if chain == .go { try node.useRecordingBridge() }
        let config = try node.config("1.1.0")
        let ready = try node.flannel("STATUS", config)
        #expect(ready.exitCode == 0, "\(ready)")
        if chain == .go {
            let sent = try node.recorded("STATUS")
            #expect(sent["type"] == "bridge" && sent["cniVersion"] == "1.1.0" && sent["mtu"] == 1450)
        }

        _ = try FileSystem.removeFile(node.subnetFile)
        let notReady = try node.flannel("STATUS", config)
        #expect(notReady.exitCode != 0)
        #expect(notReady.object?["code"] == 50)
        #expect(
            notReady.object?["msg"]?.stringValue?.hasPrefix(
                "flannel is not ready: failed to load flannel 'subnet.env' file") == true)
    }

    /// GC is forwarded with the valid attachments and removes the files of stale containers.
    @Test(arguments: Implementation.available(Implementation.delegates))
    func gcForwardsAndRemovesStaleFiles(chain: Implementation) throws {
        guard requireNetNS() else { return }
        let node = try FlannelNode(chain)
        let pods = [try node.makePod(), try node.makePod()]
        let addConfig = try node.config(chain == .swift ? "1.1.0" : "1.0.0")
        for (id, pod) in zip(["live", "stale"], pods) {
            let add = try node.flannel("ADD", addConfig, containerID: id, pod: pod)
            try #require(add.exitCode == 0, "\(add)")
        }
        #expect(node.reservations().count == 2)

        if chain == .go { try node.useRecordingBridge() }
        let valid: JSONValue = [["containerID": "live", "ifname": "eth0"]]
        let gc = try node.flannel("GC", try node.config("1.1.0", extra: ["cni.dev/valid-attachments": valid]))
        #expect(gc.exitCode == 0, "\(gc)")
        #expect(node.storedFiles() == ["live"])
        if chain == .swift {
            #expect(node.reservations() == ["10.244.1.2"], "host-local released the stale container's address")
        } else {
            let sent = try node.recorded("GC")
            #expect(sent["cni.dev/valid-attachments"] == valid)
            #expect(sent["ipam"]?.objectValue?["dataDir"] == .string(node.ipamDir))
            try node.useRealBridge()
        }
        for (id, pod) in zip(["live", "stale"], pods) {
            let del = try node.flannel("DEL", addConfig, containerID: id, pod: pod)
            #expect(del.exitCode == 0, "\(del)")
        }
        #expect(node.reservations().isEmpty)
    }
}
