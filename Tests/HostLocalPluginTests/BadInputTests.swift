import CNI
import JSON
import Posix
import TestSupport
import Testing

/// One invalid invocation: what to change from a good ADD, and the code it must get.
struct BadInput: Sendable, CustomTestStringConvertible {
    var name: String
    var code: Int64
    var command = "ADD"
    var containerID = "newcomer"
    var ifName = "eth0"
    var args: String?
    var environment: [String: String] = [:]
    /// Changes to the stdin document (top level) and to its `ipam` object.
    var top: JSONObject = [:]
    var ipam: JSONObject = [:]
    var rawStdin: String?
    /// Spaces sent before the stdin document (a valid config after megabytes of whitespace).
    var padding = 0
    /// Ranges of the failing call; the setup ADD uses `setupRanges`.
    var ranges: JSONValue = [[["subnet": "10.10.0.0/29"]]]
    var setupRanges: JSONValue = [[["subnet": "10.10.0.0/29"]]]
    var testDescription: String { name }
}

@Suite struct BadInputTests {
    static let cases: [BadInput] = [
        BadInput(name: "invalid-json", code: 6, rawStdin: "{\"cniVersion\": \"1.0.0\", \"name\": "),
        BadInput(name: "missing-containerid", code: 4, environment: ["CNI_CONTAINERID": ""]),
        BadInput(name: "unknown-command", code: 4, command: "FROB"),
        BadInput(name: "unsupported-version", code: 1, top: ["cniVersion": "9.9.9"]),
        BadInput(
            name: "exhausted", code: 100, ranges: [[["subnet": "10.10.0.0/30"]]],
            setupRanges: [[["subnet": "10.10.0.0/30"]]]),
        BadInput(name: "requested-taken", code: 101, args: "IP=10.10.0.2"),
        BadInput(name: "requested-gateway", code: 101, args: "IP=10.10.0.1"),
        BadInput(name: "requested-outside", code: 101, top: ["args": ["cni": ["ips": ["192.168.1.1"]]]]),
        BadInput(name: "duplicate", code: 102, containerID: "existing"),
        BadInput(name: "check-unknown", code: 103, command: "CHECK", containerID: "nobody"),
        BadInput(name: "containerid-traversal", code: 4, containerID: "../x"),
        BadInput(name: "network-traversal", code: 7, top: ["name": "../x"]),
        BadInput(name: "ifname-too-long", code: 4, ifName: "averyveryverylongname"),
        BadInput(name: "cni-args-malformed", code: 4, args: "IP"),
        BadInput(name: "cni-args-unknown", code: 4, args: "FOO=1"),
        BadInput(name: "cni-args-bad-ip", code: 4, args: "IP=10.10.0.300"),
        BadInput(name: "missing-ipam", code: 7, top: ["ipam": nil]),
        BadInput(
            name: "overlapping-range-sets", code: 7,
            ranges: [[["subnet": "10.10.0.0/29"]], [["subnet": "10.10.0.0/16"]]]),
        BadInput(name: "subnet-too-small", code: 7, ranges: [[["subnet": "10.10.0.0/31"]]]),
        BadInput(name: "subnet-wrong-type", code: 7, ranges: [[["subnet": 5]]]),
        BadInput(
            name: "range-start-outside", code: 7, ranges: [[["subnet": "10.10.0.0/29", "rangeStart": "10.11.0.1"]]]),
        BadInput(name: "mixed-families", code: 7, ranges: [[["subnet": "10.10.0.0/29"], ["subnet": "fd00::/64"]]]),
        BadInput(name: "data-dir-not-a-directory", code: 5, ipam: ["dataDir": "$DATADIR/file/sub"]),
        BadInput(name: "resolvconf-missing", code: 5, ipam: ["resolvConf": "$DATADIR/no-such-resolv.conf"]),
        BadInput(name: "netns-is-own", code: 8, environment: ["CNI_NETNS": "/proc/self/ns/net"]),
        BadInput(name: "stdin-10mb-of-whitespace", code: 7, padding: 10 << 20),
        BadInput(name: "stdin-1mib-of-whitespace", code: 7, padding: Skel.stdinLimit),
        BadInput(name: "containerid-5000-bytes", code: 4, containerID: String(repeating: "a", count: 5000)),
        BadInput(name: "containerid-201-bytes", code: 4, containerID: String(repeating: "b", count: 201)),
        BadInput(
            name: "check-containerid-5000-bytes", code: 4, command: "CHECK",
            containerID: String(repeating: "a", count: 5000))
    ]

    @Test(arguments: cases) func failsWithItsCodeAndChangesNothing(_ bad: BadInput) throws {
        let network = try Network(ranges: bad.setupRanges)
        try network.add("existing")
        network.ipam["ranges"] = bad.ranges
        try FileSystem.writeFileAtomically(network.dataDir + "/file", [])
        let before = try network.snapshot()

        let out = try network.run(
            bad.command, bad.containerID, ifName: bad.ifName, args: bad.args, stdin: stdin(bad, network),
            environment: bad.environment)

        #expect(out.exitCode != 0)
        #expect(out.code == bad.code, "\(out.stdout)")
        #expect(try network.snapshot() == before, "on-disk state changed")
        let json = try JSONValue.parse(network.normalized(out.stdout))
        expectGolden(json, "error-\(bad.code)-\(bad.name).expected.json")
    }

    /// DEL of a container ID longer than any ADD accepts cannot concern an attachment: it succeeds, changes nothing.
    @Test func delOfAnOverlongContainerIDSucceedsAndChangesNothing() throws {
        let network = try Network()
        try network.add("existing")
        let before = try network.snapshot()
        let out = try network.run("DEL", String(repeating: "a", count: 5000))
        #expect(out.exitCode == 0 && out.stdout.isEmpty, "\(out)")
        #expect(try network.snapshot() == before)
        let longest = String(repeating: "c", count: Identifiers.containerIDLimit)  // the limit itself is fine
        #expect(try network.add(longest) == ["10.10.0.3/24"])
        #expect(try network.run("DEL", longest).exitCode == 0)
    }

    func stdin(_ bad: BadInput, _ network: Network) -> [UInt8] {
        if bad.padding > 0 {
            var padded = BadInput(name: bad.name, code: bad.code)
            padded.ranges = bad.ranges
            return [UInt8](repeating: 0x20, count: bad.padding) + stdin(padded, network)
        }
        if let raw = bad.rawStdin { return Array(raw.utf8) }
        for (key, value) in bad.ipam {
            network.ipam[key] =
                value.stringValue.map { .string($0.replacing("$DATADIR", with: network.dataDir)) } ?? value
        }
        var document = (try? JSONValue.parse(network.config()))?.objectValue ?? [:]  // our own valid JSON
        for (key, value) in bad.top {
            if value.isNull { _ = document.removeValue(forKey: key) } else { document[key] = value }
        }
        return JSONValue.object(document).bytes()
    }
}
