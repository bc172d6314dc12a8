import CNI
import HostLocalPlugin
import Posix
import TestSupport
import Testing

/// Inputs scripts/fuzz.sh found (Tests/Fuzz/Regressions/resolv-conf), through the same parser.
@Suite struct ResolvConfFuzzRegressionTests {
    static func parse(_ name: String) throws -> CNIResult.DNS {
        ResolvConf.parse(try FileSystem.readText(fixturePath("../../Fuzz/Regressions/resolv-conf/" + name)))
    }

    /// Go's `strings.Fields` splits at every Unicode space: `\v` and U+00A0 separate fields too.
    @Test func verticalTabAndNoBreakSpace() throws {
        let dns = try Self.parse("vertical-tab-and-nbsp.conf")
        #expect(dns.search == ["a.example", "b.example"])
        #expect(dns.nameservers == ["10.0.0.1"])
    }

    /// A space followed by a combining mark (U+0301) is one `Character`, but still a separator.
    @Test func combiningMarkAfterSpace() throws {
        let dns = try Self.parse("combining-mark-after-space.conf")
        #expect(dns.nameservers == ["10.0.0.1"])
        #expect(dns.options == ["ndots:5", "\u{301}"])
    }
}
