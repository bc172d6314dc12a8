import CNI
import Posix
import TestSupport
import Testing

/// Inputs scripts/fuzz.sh found (Tests/Fuzz/Regressions/cni-args), through the same parser.
@Suite struct CNIArgsFuzzRegressionTests {
    static func input(_ name: String) throws -> String {
        try FileSystem.readText(fixturePath("../../Fuzz/Regressions/cni-args/" + name))
    }

    /// `=` followed by a combining mark (U+065E) is one `Character`: the pair had no separator and was refused.
    @Test func combiningMarkAfterEquals() throws {
        let args = try CNIArgs(parsing: try Self.input("combining-mark-after-equals.txt"))
        #expect(args.pairs.map(\.key) == ["IP", "MAC"])
        #expect(args["MAC"] == "\u{65E}0a:58:0a:01:00:07")
    }

    /// `;` followed by a combining mark (U+0301) did not split the pairs.
    @Test func combiningMarkAfterSemicolon() throws {
        let args = try CNIArgs(parsing: try Self.input("combining-mark-after-semicolon.txt"))
        #expect(args.pairs.map(\.key) == ["A", "\u{301}B"])
        #expect(args["A"] == "1" && args["\u{301}B"] == "2")
    }
}
