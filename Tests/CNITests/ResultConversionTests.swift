import Addressing
import CNI
import JSON
import Testing

@Suite struct ResultConversionTests {
    static let dualStack = CNIResult(
        interfaces: [.init(name: "eth0", mac: "0a:58:00:00:00:01", mtu: 1450, sandbox: "/run/netns/p")],
        ips: [
            .init(address: IPNetwork("10.1.0.5/24")!, gateway: IPAddress("10.1.0.1"), interface: 0),
            .init(address: IPNetwork("10.1.1.5/24")!, interface: 0),
            .init(address: IPNetwork("fd00::5/64")!, gateway: IPAddress("fd00::1"), interface: 0)
        ],
        routes: [
            .init(destination: IPNetwork("0.0.0.0/0")!, gateway: IPAddress("10.1.0.1")),
            .init(destination: IPNetwork("::/0")!, gateway: IPAddress("fd00::1"))
        ],
        dns: .init(nameservers: ["10.96.0.10"], search: ["svc.cluster.local"]))

    @Test func downConvertToZeroTwoKeepsFirstAddressPerFamily() throws {
        let json = try Self.dualStack.json(version: .v0_2_0)
        let expected: JSONValue = [
            "cniVersion": "0.2.0",
            "ip4": ["ip": "10.1.0.5/24", "gateway": "10.1.0.1", "routes": [["dst": "0.0.0.0/0", "gw": "10.1.0.1"]]],
            "ip6": ["ip": "fd00::5/64", "gateway": "fd00::1", "routes": [["dst": "::/0", "gw": "fd00::1"]]],
            "dns": ["nameservers": ["10.96.0.10"], "search": ["svc.cluster.local"]]
        ]
        #expect(json == expected)
    }

    @Test func zeroTwoWithoutAddressesCannotConvert() {
        #expect(throws: CNIError.self) { try CNIResult().json(version: .v0_1_0) }
    }

    @Test func legacyFourDropsOneOneOnlyFields() throws {
        var result = Self.dualStack
        result.routes[0].mtu = 1400
        result.routes[0].priority = 5
        let json = try result.json(version: .v0_4_0)
        let object = try #require(json.objectValue)
        #expect(object["interfaces"] == [["name": "eth0", "mac": "0a:58:00:00:00:01", "sandbox": "/run/netns/p"]])
        #expect(object["routes"]?.arrayValue?.first == ["dst": "0.0.0.0/0", "gw": "10.1.0.1"])
        #expect(object["ips"]?.arrayValue?.last?.objectValue?["version"] == "6")
        let current = try result.json(version: .v1_1_0).objectValue
        #expect(current?["interfaces"]?.arrayValue?.first?.objectValue?["mtu"] == 1450)
        #expect(
            current?["routes"]?.arrayValue?.first == ["dst": "0.0.0.0/0", "gw": "10.1.0.1", "mtu": 1400, "priority": 5])
    }

    @Test(arguments: CNIVersion.allCases)
    func roundTripsThroughEveryVersion(version: CNIVersion) throws {
        let json = try Self.dualStack.json(version: version)
        let back = try CNIResult(parsing: #require(json.objectValue))
        if version.resultShape == .legacy020 {
            #expect(back.ips.map(\.address.description) == ["10.1.0.5/24", "fd00::5/64"])
            #expect(back.routes.count == 2)
        } else {
            #expect(back.ips.map(\.address) == Self.dualStack.ips.map(\.address))
            #expect(back.ips.map(\.gateway) == Self.dualStack.ips.map(\.gateway))
            #expect(back.dns == Self.dualStack.dns)
        }
    }

    @Test func emptyDNSIsOmittedInOneXButPrintedInLegacy() throws {
        let result = CNIResult(ips: [.init(address: IPNetwork("10.0.0.2/24")!)])
        #expect(try result.json(version: .v1_0_0).objectValue?["dns"] == nil)
        #expect(try result.json(version: .v0_3_1).objectValue?["dns"] == [:])
    }

    @Test func rejectsMalformedResults() throws {
        let bad: [JSONValue] = [
            ["ips": [["address": "10.0.0.1"]]], ["ips": "x"], ["routes": [["gw": "1.2.3.4"]]],
            ["ip4": ["gateway": "10.0.0.1"]], ["interfaces": [["mac": "x"]]]
        ]
        for value in bad {
            #expect(throws: CNIError.self) { try CNIResult(parsing: value.objectValue!) }
        }
    }

    @Test func routeDestinationDropsHostBits() throws {
        let parsed = try CNIResult(parsing: ["routes": [["dst": "10.1.2.3/16"]]])
        #expect(parsed.routes.first?.destination.description == "10.1.0.0/16")
    }
}

@Suite struct CNIArgsTests {
    @Test func parsesPairsAndValidates() throws {
        let args = try CNIArgs(parsing: "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;IP=10.0.0.9")
        #expect(args["K8S_POD_NAME"] == "web" && args["IP"] == "10.0.0.9")
        try args.validate(known: ["IP"])
        let strict = try CNIArgs(parsing: "IP=10.0.0.9;MAC=0a:58:00:00:00:01")
        #expect(throws: CNIError.self) { try strict.validate(known: ["IP"]) }
        try strict.validate(known: ["IP", "MAC"])
        #expect(try CNIArgs(parsing: "IgnoreUnknown=TRUE;X=1").validate(known: []) == ())
        #expect(throws: CNIError.self) { try CNIArgs(parsing: "IgnoreUnknown=0;X=1").validate(known: []) }
        #expect(try CNIArgs(parsing: "").pairs.isEmpty)
        #expect(try CNIArgs(parsing: "A=1;;B=2").pairs.count == 2)
    }

    @Test(arguments: ["A", "A=1=2", "=;", "A=1;B"])
    func rejectsMalformedPairs(text: String) {
        #expect(throws: CNIError.self) { try CNIArgs(parsing: text) }
    }

    @Test func keysAreCaseSensitive() throws {
        #expect(throws: CNIError.self) { try CNIArgs(parsing: "ip=10.0.0.1").validate(known: ["IP"]) }
    }
}

@Suite struct IdentifierTests {
    @Test(arguments: [
        ("abc", true), ("a1_b.c-d", true), ("0", true), ("", false), ("-a", false), (".a", false),
        ("../x", false), ("a/b", false), ("a b", false), ("_a", false), ("a\u{0}", false), ("é", false)
    ])
    func names(name: String, valid: Bool) {
        #expect(Identifiers.isValidName(name) == valid)
    }

    @Test(arguments: [
        ("eth0", true), ("a", true), ("123456789012345", true), ("1234567890123456", false), ("", false),
        (".", false), ("..", false), ("a/b", false), ("a:b", false), ("a b", false), ("a\tb", false)
    ])
    func interfaceNames(name: String, valid: Bool) {
        #expect((Identifiers.interfaceNameProblem(name) == nil) == valid)
    }
}

@Suite struct ConfigReaderTests {
    @Test func consumesKeysAndNamesPathsInErrors() throws {
        var reader = ConfigReader(
            ["mtu": 1500, "flag": "yes", "sub": ["x": 1], "n": nil, "rest": true], path: "delegate")
        #expect(try reader.integer("mtu", in: 0...9000) == 1500)
        #expect(try reader.string("n") == nil)
        #expect(throws: ConfigError.wrongType("delegate.flag", expected: "a boolean", got: "yes")) {
            try reader.bool("flag")
        }
        var sub = try #require(try reader.nested("sub"))
        #expect(throws: ConfigError.self) { try sub.string("x") }
        #expect(sub.path("x") == "delegate.sub.x")
        #expect(reader.remaining.keys == ["rest"])
        var range = ConfigReader(["mtu": 99999])
        #expect(throws: ConfigError.self) { try range.integer("mtu", in: 0...65535) }
        var net = ConfigReader(["subnet": "10.0.0.0/33", "gw": "10.0.0.1"])
        #expect(throws: ConfigError.self) { try net.network("subnet") }
        #expect(try net.address("gw") == IPAddress("10.0.0.1"))
    }
}
