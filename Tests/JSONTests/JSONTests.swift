import JSON
import Testing

@Suite struct JSONTests {
    @Test func keepsKeyOrderThroughRoundTrip() throws {
        let text = #"{"zeta":1,"alpha":{"y":true,"b":null},"mid":[1,"two",3.5]}"#
        let value = try JSONValue.parse(text)
        #expect(value.objectValue?.keys == ["zeta", "alpha", "mid"])
        #expect(value.objectValue?["alpha"]?.objectValue?.keys == ["y", "b"])
        #expect(value.serialized() == text)
    }

    @Test func keepsIntegersApartFromDoubles() throws {
        let value = try JSONValue.parse(#"{"mtu":1472,"ratio":1472.0,"big":9007199254740993,"neg":-5}"#)
        let object = try #require(value.objectValue)
        #expect(object["mtu"] == .integer(1472))
        #expect(object["ratio"] == .double(1472))
        #expect(object["big"] == .integer(9_007_199_254_740_993))
        #expect(object["neg"] == .integer(-5))
        #expect(value.serialized().contains(#""mtu":1472,"#))
    }

    @Test func unicodeAndEscapesRoundTrip() throws {
        let original: JSONValue = ["s": "tab\there \"quoted\" back\\slash \u{1} 汉字 😀 \u{2028}"]
        let text = original.serialized()
        #expect(text.contains(#"\t"#) && text.contains(#"\u0001"#) && text.contains(#"\u2028"#))
        #expect(try JSONValue.parse(text) == original)
        #expect(try JSONValue.parse(#""\u00e9\ud83d\ude00""#) == .string("é😀"))
    }

    /// Exact escaping: quotes, backslash, \n \r \t, other control characters as \u00XX, U+2028/2029, and
    /// everything else (including multi-byte UTF-8 and a lone E2 that starts another character) as is.
    @Test func escapesExactly() {
        let value: JSONValue = ["k\"": "a\"b\\c\n\r\t\u{1f}\u{2028}\u{2029}\u{2030}é😀"]
        #expect(value.serialized() == #"{"k\"":"a\"b\\c\n\r\t\u001f\u2028\u2029\#u{2030}é😀"}"#)
        #expect(JSONValue.array([1, 2.5, true, nil, "x"]).serialized() == #"[1,2.5,true,null,"x"]"#)
    }

    @Test func indentedOutputMatchesGoMarshalIndent() {
        let value: JSONValue = ["cniVersion": "1.0.0", "ips": [["address": "10.0.0.2/24"]], "dns": [:], "list": []]
        let expected = """
            {
                "cniVersion": "1.0.0",
                "ips": [
                    {
                        "address": "10.0.0.2/24"
                    }
                ],
                "dns": {},
                "list": []
            }
            """
        #expect(value.serialized(indent: 4) == expected)
    }

    @Test(arguments: ["", "{", #"{"a":}"#, "[1,]", "nul", #"{"a":1}x"#, "\u{0}"])
    func reportsSyntaxErrorsWithPosition(text: String) {
        #expect(throws: JSONError.self) { try JSONValue.parse(text) }
    }

    @Test func errorCarriesLineAndColumn() {
        do {
            _ = try JSONValue.parse("{\n  \"a\": tru\n}")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 2)
            #expect(error.description.contains("line 2"))
        }
    }

    @Test func objectSubscriptKeepsPositionAndRemoves() {
        var o: JSONObject = ["a": 1, "b": 2, "c": 3]
        o["b"] = "two"
        #expect(o.keys == ["a", "b", "c"])
        o["a"] = nil
        #expect(o.keys == ["b", "c"])
        o.setIfAbsent("b", 9)
        o.setIfAbsent("d", 4)
        #expect(o["b"] == "two" && o["d"] == 4)
        #expect(o.removeValue(forKey: "c") == 3)
        #expect(o.keys == ["b", "d"])
    }

    @Test func equalityIgnoresKeyOrder() throws {
        #expect(try JSONValue.parse(#"{"a":1,"b":[1,2]}"#) == JSONValue.parse(#"{"b":[1,2],"a":1}"#))
        #expect(try JSONValue.parse(#"{"a":1}"#) != JSONValue.parse(#"{"a":1.0}"#))
        #expect(try JSONValue.parse("[1,2]") != JSONValue.parse("[2,1]"))
    }

    @Test func nonFiniteDoublesSerializeAsNull() {
        #expect(JSONValue.double(.nan).serialized() == "null")
        #expect(JSONValue.double(0.5).serialized() == "0.5")
    }
}
