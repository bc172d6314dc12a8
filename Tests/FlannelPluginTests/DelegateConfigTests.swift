import CNI
import FlannelPlugin
import JSON
import Posix
import TestSupport
import Testing

@Suite struct DelegateConfigTests {
    static let cases = [
        "kube-default", "go-ipv4", "go-ipv6", "go-dualstack", "go-ipv4-multiple-networks", "go-ipam-input",
        "passthrough", "ipmasq-false"
    ]

    func make(_ name: String) throws -> JSONObject {
        let config = try NetworkConfig(parsing: Array(try readFixture("delegate/\(name).input.json").utf8))
        let lease = try SubnetEnv(parsing: try readFixture("delegate/\(name).env"), path: "subnet.env")
        return DelegateConfig.make(try FlannelConfig(parsing: config), lease)
    }

    /// Each expected file is what the Go plugin stores for the same inputs (cni.md §3.6 and the
    /// reference's own flannel_linux_test.go expectations), compared as JSON values; a reference, so
    /// RECORD_FIXTURES=1 leaves it as written.
    @Test(arguments: cases)
    func matchesTheReference(name: String) throws {
        let delegate = try make(name)
        expectGolden(.object(delegate), "delegate/\(name).expected.json", reference: true)
    }

    /// Byte for byte, the §3.6 document: ours keeps the user's key order rather than Go's sorted map.
    @Test func kubeDefaultBytes() throws {
        let expected = try readFixture("delegate/kube-default.expected.json").split(separator: "\n").joined()
        #expect(JSONValue.object(try make("kube-default")).serialized() == expected)
    }

    @Test func unknownDelegateKeysKeepTheirOrder() throws {
        let delegate = try make("passthrough")
        #expect(
            delegate.keys == [
                "cniVersion", "name", "type", "zeta", "master", "ipMasq", "mtu", "runtimeConfig", "nested", "alpha",
                "ipam"
            ])
        #expect(delegate["nested"]?.objectValue?.keys == ["b", "a"])
        #expect(delegate["nested"] == ["b": [1, 2.5, nil], "a": "x"])  // 2.5 stays a double, 1 an integer
    }

    @Test func noCNIVersionMeansNoneForTheDelegate() throws {
        let delegate = try make("go-ipv4")
        #expect(delegate["cniVersion"] == nil)
    }

    @Test func userIPAMKeysAndRangesPosition() throws {
        let config = FlannelConfig(
            name: "n",
            ipam: [
                "ranges": [[["subnet": "1.2.3.0/24"]]], "type": "host-local",
                "dataDir": "/tmp/x"
            ])
        let lease = SubnetEnv(
            networks: [IPNetworkLiteral.v4Net], subnet: IPNetworkLiteral.v4Subnet, mtu: 1450, ipMasq: true)
        let ipam = try #require(DelegateConfig.make(config, lease)["ipam"]?.objectValue)
        #expect(ipam.keys == ["ranges", "type", "dataDir", "routes"])
        #expect(ipam["ranges"] == [[["subnet": "10.244.1.0/24"]]])  // always replaced by the lease
        #expect(ipam["dataDir"] == "/tmp/x")
    }

    /// A JSON `null` counts as set, as Go's `hasKey` does: no default replaces it.
    @Test func nullDefaultsStayNull() throws {
        let config = FlannelConfig(name: "n", delegate: ["ipMasq": nil, "mtu": nil, "isGateway": nil])
        let lease = SubnetEnv(
            networks: [IPNetworkLiteral.v4Net], subnet: IPNetworkLiteral.v4Subnet, mtu: 1450, ipMasq: true)
        let delegate = DelegateConfig.make(config, lease)
        #expect(delegate["ipMasq"] == .null && delegate["mtu"] == .null && delegate["isGateway"] == .null)
    }

    @Test func routesAreCanonicalised() throws {
        let config = FlannelConfig(
            name: "n", ipam: ["routes": [["dst": "FC00:0:0::/48", "gw": "fc00:0::1", "mtu": 1400]]])
        let lease = SubnetEnv(
            networks: [IPNetworkLiteral.v4Net], subnet: IPNetworkLiteral.v4Subnet, mtu: 1450, ipMasq: true)
        let routes = DelegateConfig.make(config, lease)["ipam"]?.objectValue?["routes"]
        #expect(routes == [["dst": "fc00::/48", "gw": "fc00::1", "mtu": 1400], ["dst": "10.244.0.0/16"]])
    }

    /// Random delegate objects: building never traps and every user key survives in order.
    @Test func builderIsTotalAndOrderPreserving() throws {
        var generator = SplitMix64(seed: 7)
        let lease = SubnetEnv(
            networks: [IPNetworkLiteral.v4Net], subnet: IPNetworkLiteral.v4Subnet, mtu: 1450, ipMasq: true)
        let reserved: Set<String> = ["cniVersion", "name", "type", "ipam", "runtimeConfig"]
        for _ in 0..<500 {
            var delegate = JSONObject()
            for _ in 0..<Int(generator.next() % 8) {
                delegate["k\(generator.next() % 20)"] =
                    generator.next() % 2 == 0 ? .integer(Int64(generator.next() % 100)) : "v"
            }
            let built = DelegateConfig.make(FlannelConfig(name: "n", delegate: delegate), lease)
            let passed = built.keys.filter { delegate.contains($0) && !reserved.contains($0) }
            #expect(passed == delegate.keys.filter { !reserved.contains($0) })
            #expect(built["name"] == "n" && built["ipam"] != nil)
        }
    }
}
