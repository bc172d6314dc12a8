import JSON
import Testing

@Suite struct DocumentEndTests {
    private func end(_ text: String) -> Int? { JSONValue.documentEnd(in: Array(text.utf8)) }

    @Test func findsTheEndOfTheFirstObjectOrArray() {
        #expect(end(#"{"a":1}"#) == 7)
        #expect(end(" \n{\"a\":[1,{\"b\":2}]}\n") == 19)
        #expect(end(#"[1,2]   "#) == 5)
        #expect(end(#"{"a":1}{"b":2}"#) == 7)
    }

    @Test func ignoresBracketsInsideStrings() {
        #expect(end(#"{"a":"}]{[","b":"\"}"}"#) == 22)
        #expect(end(#"{"a":"\\"}"#) == 10)
    }

    @Test func incompleteOrNotADocumentIsNil() {
        for text in ["", "   ", "{", #"{"a":"}"#, #"{"a":[1,2}"#, "[[]", "1", "\"x\"", "}", "null", #"{"a":"\"#] {
            #expect(end(text) == nil, "\(text)")
        }
    }

    /// Every prefix of a document is incomplete; the whole is complete; a prefix parses exactly when it is whole.
    @Test func prefixesOfARealResult() throws {
        let text =
            #"{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.2/24","gateway":"10.0.0.1"}],"dns":{"search":["a\"]"]}}"#
        let bytes = Array(text.utf8)
        for n in 0..<bytes.count { #expect(JSONValue.documentEnd(in: Array(bytes[..<n])) == nil, "prefix \(n)") }
        #expect(JSONValue.documentEnd(in: bytes + Array("\n".utf8)) == bytes.count)
        #expect(try JSONValue.parse(bytes).objectValue?["ips"] != nil)
    }
}
