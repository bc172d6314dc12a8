import JSON
import TestSupport
import Testing

/// ADD → CHECK → DEL → DEL through the built binary, for every result shape.
@Suite struct VersionTests {
    static let versions = ["0.1.0", "0.2.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"]

    func dualStack(_ version: String) throws -> Network {
        let network = try Network(
            version: version,
            ranges: [
                [["subnet": "10.10.0.0/24", "gateway": "10.10.0.1"]],
                [["subnet": "fd10::/64", "rangeStart": "fd10::100", "rangeEnd": "fd10::1ff"]]
            ])
        network.ipam["routes"] = [["dst": "0.0.0.0/0"], ["dst": "fd10::/48", "gw": "fd10::1"]]
        network.ipam["resolvConf"] = .string(fixturePath("resolv.conf"))
        return network
    }

    @Test(arguments: versions) func lifecycle(_ version: String) throws {
        let network = try dualStack(version)
        let add = try network.run("ADD")
        try #require(add.exitCode == 0, "\(add.stdout)")
        expectGolden(try #require(add.json), "add-\(version).expected.json")
        #expect(try network.reservations() == ["10.10.0.2": "c1\r\neth0", "fd10::100": "c1\r\neth0"])
        if version >= "0.4.0" {
            let check = try network.run("CHECK")
            #expect(check.exitCode == 0 && check.stdout.isEmpty, "\(check.stdout)")
        }
        for _ in 0..<2 {
            let del = try network.run("DEL")
            #expect(del.exitCode == 0 && del.stdout.isEmpty, "\(del.stdout)")
            #expect(try network.reservations().isEmpty)
        }
        if version >= "0.4.0" {
            #expect(try network.run("CHECK").code == 103)
        }
    }

    @Test func delWithoutNetnsAndOnFreshNodeSucceeds() throws {
        let network = try Network()
        #expect(try network.run("DEL", environment: ["CNI_NETNS": ""]).exitCode == 0)
        #expect(try network.snapshot().isEmpty)  // nothing created for a DEL of nothing
    }

    @Test func moreThanOneRangeSetPerFamilyNeedsV030() throws {
        let network = try Network(version: "0.2.0", ranges: [[["subnet": "10.1.0.0/24"]], [["subnet": "10.2.0.0/24"]]])
        let out = try network.run("ADD")
        #expect(out.code == 7)
        network.version = "0.3.1"
        #expect(try network.add("c1") == ["10.1.0.2/24", "10.2.0.2/24"])
    }

    @Test func legacySubnetAndRuntimeRangesArePrepended() throws {
        let network = try Network(ranges: [[["subnet": "10.3.0.0/24"]]])
        network.ipam["subnet"] = "10.2.0.0/24"
        let out = try network.run(
            "ADD", stdin: network.config(["runtimeConfig": ["ipRanges": [[["subnet": "10.1.0.0/24"]]]]]))
        #expect(addresses(out) == ["10.1.0.2/24", "10.2.0.2/24", "10.3.0.2/24"])
    }

    @Test func requestedAddressesFromAllSources() throws {
        let network = try Network(ranges: [
            [["subnet": "10.1.0.0/24"]], [["subnet": "10.2.0.0/24"]], [["subnet": "fd00::/64"]]
        ])
        let stdin = network.config([
            "args": ["cni": ["ips": ["10.2.0.20"]]], "runtimeConfig": ["ips": ["fd00::5/64"]]
        ])
        let out = try network.run("ADD", args: "IgnoreUnknown=1;K8S_POD_NAME=x;IP=10.1.0.10", stdin: stdin)
        #expect(addresses(out) == ["10.1.0.10/24", "10.2.0.20/24", "fd00::5/64"], "\(out.stdout)")
        #expect(try network.reservations()["10.1.0.10"] == "c1\r\neth0")
    }
}
