import Addressing
import CNI
import HostLocalPlugin
import JSON
import Testing

func parse(_ text: String, cniArgs: String? = nil) throws -> HostLocalConfig {
    let config = try NetworkConfig(parsing: Array(text.utf8))
    return try HostLocalConfig(
        parsing: config, cniArgs: try cniArgs.map { (args) throws(CNIError) in try CNIArgs(parsing: args) })
}

func ipam(_ body: String, version: String = "1.0.0", top: String = "") -> String {
    "{\"cniVersion\": \"\(version)\", \"name\": \"net\", \"type\": \"host-local\"\(top), \"ipam\": {\(body)}}"
}

@Suite struct HostLocalConfigTests {
    @Test func defaults() throws {
        let config = try parse(ipam(#""type": "host-local", "subnet": "10.1.0.0/16""#))
        #expect(config.dataDir == "/var/lib/cni/networks")
        #expect(config.networkDirectory == "/var/lib/cni/networks/net")
        #expect(config.reclaimAfterReboot)
        #expect(config.resolvConf == nil && config.routes.isEmpty && config.requestedAddresses.isEmpty)
        #expect(config.rangeSets.map(\.description) == ["10.1.0.1-10.1.255.254"])
    }

    @Test func everyKey() throws {
        let config = try parse(
            ipam(
                #"""
                "ranges": [[{"subnet": "10.1.0.0/24", "rangeStart": "10.1.0.10", "rangeEnd": "10.1.0.20", "gateway": "10.1.0.254"}],
                           [{"subnet": "fd00::/64"}]],
                "routes": [{"dst": "0.0.0.0/0", "gw": "10.1.0.254", "mtu": 1400}],
                "dataDir": "/run/ipam", "resolvConf": "/etc/resolv.conf", "reclaimAfterReboot": false
                """#))
        #expect(config.rangeSets[0].ranges[0].gateway == IPAddress("10.1.0.254"))
        #expect(config.rangeSets.map(\.description) == ["10.1.0.10-10.1.0.20", "fd00::1-fd00::ffff:ffff:ffff:ffff"])
        #expect(config.routes.first?.gateway == IPAddress("10.1.0.254") && config.routes.first?.mtu == 1400)
        #expect(config.dataDir == "/run/ipam" && config.resolvConf == "/etc/resolv.conf" && !config.reclaimAfterReboot)
    }

    @Test func requestedAddressPrecedenceIsTheUnion() throws {
        let text = ipam(
            #""subnet": "10.1.0.0/16""#,
            top: #", "args": {"cni": {"ips": ["10.1.0.7", "10.1.0.5"]}}, "runtimeConfig": {"ips": ["10.1.0.9/16"]}"#)
        let config = try parse(text, cniArgs: "IP=10.1.0.5")
        #expect(config.requestedAddresses.map(\.description) == ["10.1.0.5", "10.1.0.7", "10.1.0.9"])
        #expect(try parse(text).requestedAddresses.count == 3)  // DEL/GC: CNI_ARGS not consulted
    }

    static let errors: [(String, String, String, Int)] = [
        (ipam(#""type": "host-local""#), "", "no IP ranges specified", 7),
        ("{\"cniVersion\": \"1.0.0\", \"name\": \"net\"}", "", "IPAM config missing 'ipam' key", 7),
        (
            ipam(#""ranges": [[{"subnet": "10.0.0.0/31"}]]"#), "",
            "invalid range set 0: Network 10.0.0.0/31 too small to allocate from", 7
        ),
        (
            ipam(#""ranges": [[{"subnet": "10.0.0.0/24"}, {"subnet": "fd::/64"}]]"#), "",
            "invalid range set 0: mixed address families", 7
        ),
        (
            ipam(#""ranges": [[{"subnet": "10.0.0.0/24"}], [{"subnet": "10.0.0.0/25"}]]"#), "",
            "range set 0 overlaps with 1", 7
        ),
        (
            ipam(#""ranges": [[{"subnet": "10.0.0.0/24"}], [{"subnet": "10.1.0.0/24"}]]"#, version: "0.2.0"), "",
            "CNI version 0.2.0 does not support more than 1 address per family", 7
        ),
        (
            ipam(#""ranges": [[{"subnet": "10.0.0.0/24", "rangeEnd": "10.0.1.1"}]]"#), "",
            "invalid range set 0: RangeEnd 10.0.1.1 not in network 10.0.0.0/24", 7
        ),
        (
            ipam(#""ranges": [[{"rangeStart": "10.0.0.1"}]]"#), "", "missing required key \"ipam.ranges[0][0].subnet\"",
            7
        ),
        (
            ipam(#""ranges": [{"subnet": "10.0.0.0/24"}]"#), "",
            "\"ipam.ranges[0]\" must be an array of ranges, got object {\"subnet\":\"10.0.0.0/24\"}", 7
        ),
        (
            ipam(#""ranges": [[{"subnet": "10.0.0.0/24", "gateway": "x"}]]"#), "",
            "invalid \"ipam.ranges[0][0].gateway\": \"x\" is not an IP address", 7
        ),
        (
            ipam(#""subnet": "10.0.0.0/24", "routes": [{"gw": "10.0.0.1"}]"#), "",
            "missing required key \"ipam.routes[0].dst\"", 7
        ),
        (
            ipam(#""subnet": "10.0.0.0/24", "reclaimAfterReboot": "yes""#), "",
            "\"ipam.reclaimAfterReboot\" must be a boolean, got string \"yes\"", 7
        ),
        (
            ipam(#""subnet": "10.0.0.0/24""#, top: #", "runtimeConfig": {"ipRanges": [[{"subnet": "bad"}]]}"#), "",
            "invalid \"runtimeConfig.ipRanges[0][0].subnet\": \"bad\" is not a CIDR", 7
        ),
        (
            ipam(#""subnet": "10.0.0.0/24""#, top: #", "args": {"cni": {"ips": ["x"]}}"#), "",
            "invalid \"args.cni.ips[0]\": \"x\" is not an IP address", 7
        ),
        (ipam(#""subnet": "10.0.0.0/24""#), "IP=nope", "ARGS: invalid IP address \"nope\"", 4)
    ]

    @Test(arguments: errors) func validationErrors(_ c: (String, String, String, Int)) {
        do {
            _ = try parse(c.0, cniArgs: c.1.isEmpty ? nil : c.1)
            Issue.record("expected \(c.2)")
        } catch let error as CNIError {
            #expect(error.message == c.2)
            #expect(error.code.rawValue == c.3)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}

@Suite struct ResolvConfTests {
    @Test func parsesLikeGo() {
        let dns = ResolvConf.parse(
            "# c\n; c\nnameserver 1.1.1.1\nnameserver  8.8.8.8 \ndomain a.example\nsearch x y\noptions ndots:5\nbogus\ndomain b.example\n"
        )
        #expect(dns.nameservers == ["1.1.1.1", "8.8.8.8"])
        #expect(dns.domain == "b.example" && dns.search == ["x", "y"] && dns.options == ["ndots:5"])
    }
}
