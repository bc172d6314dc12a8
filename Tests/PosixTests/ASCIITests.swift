import Posix
import Testing

@Suite struct ASCIITests {
    @Test func whitespaceIsTheSixASCIIBytes() {
        let spaces = (0...255).filter { ASCII.isWhitespace(UInt8($0)) }
        #expect(spaces == [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20])
    }

    @Test func trimmingBytesOnBothEnds() {
        #expect(Array(ASCII.trimmingWhitespace(Array(" \t\r\nab c\u{0B}\u{0C}".utf8)[...])) == Array("ab c".utf8))
        #expect(ASCII.trimmingWhitespace(Array(" \n\t".utf8)[...]).isEmpty)
        #expect(ASCII.trimmingWhitespace([][...]).isEmpty)
        let slice = Array("x  y  z".utf8)[1..<6]  // a slice that does not start at 0
        #expect(Array(ASCII.trimmingWhitespace(slice)) == Array("y".utf8))
    }

    @Test func trimmingTextKeepsUnicodeWhitespaceAndCombiningMarks() {
        #expect(ASCII.trimmingWhitespace("\r\n key = v \t") == "key = v")
        #expect(ASCII.trimmingWhitespace("\u{A0}x\u{A0}") == "\u{A0}x\u{A0}")  // no-break space is not ASCII
        #expect(ASCII.trimmingWhitespace(" \u{301}x ") == "\u{301}x")  // a combining mark after a space stays
        #expect(ASCII.trimmingWhitespace("   ") == "")
        #expect(ASCII.trimmingTrailingWhitespace(" 1\t2 \n") == " 1\t2")
        #expect(ASCII.trimmingTrailingWhitespace("\n") == "")
        #expect(ASCII.dropping(leading: UInt8(ascii: " "), from: "  12 ") == "12 ")
        #expect(ASCII.dropping(leading: UInt8(ascii: " "), from: "   ") == "")
    }

    @Test func splittingKeepsOrOmitsEmptyPieces() {
        #expect(ASCII.split("a,,b,", on: UInt8(ascii: ",")) == ["a", "", "b", ""])
        #expect(ASCII.split("a,,b,", on: UInt8(ascii: ","), omittingEmpty: true) == ["a", "b"])
        #expect(ASCII.split("", on: UInt8(ascii: ",")) == [""])  // Go's strings.Split("", ",")
        #expect(ASCII.split("", on: UInt8(ascii: ","), omittingEmpty: true) == [])
        #expect(ASCII.split(",", on: UInt8(ascii: ",")) == ["", ""])
        #expect(ASCII.split("abc", on: UInt8(ascii: ",")) == ["abc"])
        let text = "k=v;x=y"
        #expect(ASCII.split(text.dropFirst(2), on: UInt8(ascii: ";")) == ["v", "x=y"])
    }

    /// A separator followed by a combining mark is one `Character` but still a separator byte (as in Go).
    @Test func splittingIsOnBytesNotCharacters() {
        let text = "a;\u{301}b;c"
        #expect(text.split(separator: ";").count == 2)  // by Character: ";\u{301}" is no separator
        #expect(ASCII.split(text, on: UInt8(ascii: ";")) == ["a", "\u{301}b", "c"])
        #expect(ASCII.split("x\r\ny", on: UInt8(ascii: "\n")) == ["x\r", "y"])
    }

    /// Agreement with a model on the UTF-8 bytes (the stdlib's byte split) for many small inputs.
    @Test func splittingAgreesWithTheByteModel() {
        let alphabet: [String] = ["", ",", "a", ",,", " ", "\u{301}", "é"]
        for a in alphabet {
            for b in alphabet {
                for c in alphabet {
                    let text = a + b + c
                    for omit in [false, true] {
                        let model = text.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: omit)
                            .map { String(decoding: $0, as: UTF8.self) }
                        let ours = ASCII.split(text, on: UInt8(ascii: ","), omittingEmpty: omit).map(String.init)
                        #expect(ours == model, "\(text.debugDescription) omittingEmpty: \(omit)")
                    }
                }
            }
        }
    }
}
