import JSON

/// jansson parse + our tree + our serializer: parse -> serialize -> parse is the same value, and serializing that
/// again gives the same bytes (compact and indented); `documentEnd` finds the end of every serialized document and
/// never claims an end inside an incomplete one.
enum JSONChecks {
    static func run(_ bytes: [UInt8]) {
        let end = JSONValue.documentEnd(in: bytes)
        require(end.map { $0 >= 1 && $0 <= bytes.count } ?? true, "documentEnd \(end!) outside 1...\(bytes.count)")
        guard let value = try? JSONValue.parse(bytes) else { return }
        roundTrip(value)
    }

    static func roundTrip(_ value: JSONValue) {
        for indent in [0, 4] {
            let text = value.bytes(indent: indent)
            let again: JSONValue
            do { again = try JSONValue.parse(text) } catch {
                require(false, "serialized JSON does not parse (\(error)): \(String(decoding: text, as: UTF8.self))")
                return
            }
            require(again == value, "round trip changed the value: \(value) -> \(again)")
            require(again.bytes(indent: indent) == text, "second serialization differs: \(value)")
            switch value {
            case .object, .array:
                require(JSONValue.documentEnd(in: text) == text.count, "documentEnd misses the end of \(value)")
                require(JSONValue.documentEnd(in: Array(text.dropLast())) == nil, "documentEnd inside \(value)")
            default:
                require(JSONValue.documentEnd(in: text) == nil, "documentEnd on a scalar \(value)")
            }
        }
    }
}
