internal import CJansson

extension JSONValue {
    /// Parses a JSON text of any type at the top level. The corresponding C function is `json_loadb`.
    /// The jansson tree is converted and released before returning: no C pointer outlives the call.
    public static func parse(_ bytes: [UInt8]) throws(JSONError) -> JSONValue {
        var error = json_error_t()
        let input = bytes.isEmpty ? [0] : bytes  // a valid pointer even for empty input
        // json_loadb returns a new reference, released below once converted.
        let root: UnsafeMutablePointer<json_t>? = input.withUnsafeBytes { raw in
            json_loadb(raw.bindMemory(to: CChar.self).baseAddress, bytes.count, cni_json_flags_decode(), &error)
        }
        guard let root else {
            let text = withUnsafeBytes(of: error.text) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            throw JSONError(message: text, line: Int(error.line), column: Int(error.column))
        }
        defer { json_decref(root) }
        return convert(root)
    }

    /// Parses UTF-8 text.
    public static func parse(_ text: String) throws(JSONError) -> JSONValue { try parse(Array(text.utf8)) }

    private static func convert(_ node: UnsafeMutablePointer<json_t>) -> JSONValue {
        switch node.pointee.type {
        case JSON_OBJECT:
            var object = JSONObject()
            var iterator = json_object_iter(node)  // borrowed; insertion order since jansson 2.8
            while let it = iterator {
                let key = String(cString: json_object_iter_key(it))  // borrowed
                if let value = json_object_iter_value(it) { object[key] = convert(value) }  // borrowed
                iterator = json_object_iter_next(node, it)
            }
            return .object(object)
        case JSON_ARRAY:
            return .array((0..<json_array_size(node)).map { convert(json_array_get(node, $0)) })  // borrowed
        case JSON_STRING:
            let length = json_string_length(node)
            let pointer = json_string_value(node)!  // borrowed
            let bytes = UnsafeRawBufferPointer(start: pointer, count: length)
            return .string(String(decoding: bytes, as: UTF8.self))
        case JSON_INTEGER:
            return .integer(Int64(json_integer_value(node)))
        case JSON_REAL:
            return .double(json_real_value(node))
        case JSON_TRUE:
            return .bool(true)
        case JSON_FALSE:
            return .bool(false)
        default:
            return .null
        }
    }
}
