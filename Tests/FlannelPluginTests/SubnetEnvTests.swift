import Addressing
import FlannelPlugin
import TestSupport
import Testing

@Suite struct SubnetEnvTests {
    let path = "/run/flannel/subnet.env"

    func parse(_ text: String) throws -> SubnetEnv { try SubnetEnv(parsing: text, path: path) }

    func net(_ text: String) -> IPNetwork { IPNetwork(text)! }

    @Test func kubeDefaultDropsHostBits() throws {
        let env = try parse(try readFixture("delegate/kube-default.env"))
        #expect(
            env == SubnetEnv(networks: [net("10.244.0.0/16")], subnet: net("10.244.1.0/24"), mtu: 1450, ipMasq: true))
        #expect(env.subnet?.description == "10.244.1.0/24")
    }

    @Test func dualStack() throws {
        let env = try parse(
            """
            FLANNEL_NETWORK=10.1.0.0/16
            FLANNEL_SUBNET=10.1.17.1/24
            FLANNEL_IPV6_NETWORK=fc00::/48
            FLANNEL_IPV6_SUBNET=fc00::1/64
            FLANNEL_MTU=1472
            FLANNEL_IPMASQ=false
            """)
        #expect(env.networks == [net("10.1.0.0/16")])
        #expect(env.ipv6Networks == [net("fc00::/48")])
        #expect(env.ipv6Subnet?.description == "fc00::/64")
        #expect(env.mtu == 1472)
        #expect(env.ipMasq == false)
    }

    @Test func ipv6Only() throws {
        let env = try parse(
            "FLANNEL_IPV6_NETWORK=fc00::/48\nFLANNEL_IPV6_SUBNET=fc00::1/64\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=true\n")
        #expect(env.networks.isEmpty && env.subnet == nil)
        #expect(env.ipv6Subnet == net("fc00::/64"))
    }

    @Test(arguments: [
        ("10.1.0.0/16,192.168.0.0/16", ["10.1.0.0/16", "192.168.0.0/16"]),
        ("10.1.0.0/16,10.1.0.0/16", ["10.1.0.0/16"]),  // duplicates dropped
        ("10.1.2.3/16,10.1.0.0/16,192.168.7.7/16", ["10.1.0.0/16", "192.168.0.0/16"]),  // host bits dropped first
        ("10.1.0.0/16, 192.168.0.0/16", ["10.1.0.0/16", "192.168.0.0/16"])  // tolerant of spaces
    ])
    func networkLists(value: String, expected: [String]) throws {
        let env = try parse(
            "FLANNEL_NETWORK=\(value)\nFLANNEL_SUBNET=10.1.17.1/24\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=true")
        #expect(env.networks.map(\.description) == expected)
    }

    @Test(arguments: [("true", true), ("false", false), ("TRUE", false), ("1", false), ("", false)])
    func ipMasqIsTrueOnlyForTrue(value: String, expected: Bool) throws {
        let env = try parse(
            "FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.17.1/24\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=\(value)")
        #expect(env.ipMasq == expected)
    }

    @Test func unknownKeysCommentsCRLFAndLaterLinesWin() throws {
        let env = try parse(
            "# written by hand\r\nFLANNEL_MTU=1400\r\nFOO=bar\r\nFLANNEL_NETWORK=10.1.0.0/16\r\nFLANNEL_SUBNET=10.1.17.1/24\r\n"
                + "FLANNEL_MTU=1450\r\nFLANNEL_IPMASQ=true\r\n\r\n")
        #expect(env.mtu == 1450)
        #expect(env.networks == [net("10.1.0.0/16")])
    }

    struct Bad: Sendable, CustomStringConvertible {
        var description: String
        var text: String
        var message: String
    }

    static let badFiles: [Bad] = [
        Bad(
            description: "empty", text: "",
            message:
                "/run/flannel/subnet.env is missing FLANNEL_NETWORK, FLANNEL_IPV6_NETWORK, FLANNEL_SUBNET, FLANNEL_IPV6_SUBNET, FLANNEL_MTU, FLANNEL_IPMASQ"
        ),
        Bad(
            description: "reference foo=bar", text: "foo=bar",
            message:
                "/run/flannel/subnet.env is missing FLANNEL_NETWORK, FLANNEL_IPV6_NETWORK, FLANNEL_SUBNET, FLANNEL_IPV6_SUBNET, FLANNEL_MTU, FLANNEL_IPMASQ"
        ),
        Bad(
            description: "only networks", text: "FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.17.1/24",
            message: "/run/flannel/subnet.env is missing FLANNEL_MTU, FLANNEL_IPMASQ"),
        Bad(
            description: "no subnet", text: "FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true",
            message: "/run/flannel/subnet.env is missing FLANNEL_SUBNET, FLANNEL_IPV6_SUBNET"),
        Bad(
            description: "MTU not a number",
            text: "FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.17.1/24\nFLANNEL_MTU=abc\nFLANNEL_IPMASQ=true",
            message: "/run/flannel/subnet.env: invalid FLANNEL_MTU \"abc\": not an unsigned 32-bit integer"),
        Bad(
            description: "MTU negative",
            text: "FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.17.1/24\nFLANNEL_MTU=-1\nFLANNEL_IPMASQ=true",
            message: "/run/flannel/subnet.env: invalid FLANNEL_MTU \"-1\": not an unsigned 32-bit integer"),
        Bad(
            description: "MTU too large",
            text:
                "FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.17.1/24\nFLANNEL_MTU=4294967296\nFLANNEL_IPMASQ=true",
            message: "/run/flannel/subnet.env: invalid FLANNEL_MTU \"4294967296\": not an unsigned 32-bit integer"),
        Bad(
            description: "bad subnet and missing MTU reported together",
            text: "FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.17.1\nFLANNEL_IPMASQ=true",
            message:
                "/run/flannel/subnet.env: invalid FLANNEL_SUBNET \"10.1.17.1\": not a CIDR; /run/flannel/subnet.env is missing FLANNEL_MTU"
        ),
        Bad(
            description: "bad list item",
            text:
                "FLANNEL_NETWORK=10.1.0.0/16,bogus\nFLANNEL_SUBNET=10.1.17.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true",
            message: "/run/flannel/subnet.env: invalid FLANNEL_NETWORK \"bogus\": not a CIDR"),
        Bad(
            description: "empty network",
            text: "FLANNEL_NETWORK=\nFLANNEL_SUBNET=10.1.17.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true",
            message: "/run/flannel/subnet.env: invalid FLANNEL_NETWORK \"\": not a CIDR"),
        Bad(
            description: "key without =",
            text: "FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.17.1/24\nFLANNEL_MTU\nFLANNEL_IPMASQ=true",
            message: "/run/flannel/subnet.env: invalid FLANNEL_MTU \"\": not an unsigned 32-bit integer")
    ]

    @Test(arguments: badFiles)
    func badFilesReportEveryProblem(bad: Bad) {
        do throws(SubnetEnvError) {
            _ = try SubnetEnv(parsing: bad.text, path: path)
            Issue.record("expected an error")
        } catch {
            #expect(error.description == bad.message)
        }
    }

    @Test func loadReportsAMissingFileLikeTheReference() {
        #expect(throws: FlannelError.subnetEnvUnavailable(path: "/nonexistent/subnet.env", .noSuchFileOrDirectory)) {
            try SubnetEnv.load("/nonexistent/subnet.env")
        }
        let error = FlannelError.subnetEnvUnavailable(path: "/run/flannel/subnet.env", .noSuchFileOrDirectory)
        #expect(
            error.description == "failed to load flannel 'subnet.env' file: open /run/flannel/subnet.env: "
                + "no such file or directory. Check the flannel pod log for this node.")
    }

    /// Arbitrary text never traps the parser (a cheap fuzz over mutations of a valid file).
    @Test func parserIsTotal() throws {
        let base = Array(try readFixture("delegate/kube-default.env").utf8)
        var generator = SplitMix64(seed: 42)
        let alphabet = Array("=,/.:\n\r 0123456789abcdefFLANNEL_".utf8)
        for _ in 0..<2000 {
            var bytes = base
            for _ in 0..<Int(generator.next() % 6) {
                let index = Int(generator.next() % UInt64(bytes.count))
                bytes[index] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
            }
            _ = try? SubnetEnv(parsing: String(decoding: bytes, as: UTF8.self), path: path)  // must return or throw
        }
    }
}
