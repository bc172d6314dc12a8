import CNI
import JSON

/// Results of every version (a delegate's stdout, a `prevResult`), and error JSON. A parsed result encodes for every
/// version (0.1/0.2 only when it has an address); each encoding parses back, and re-encoding that is a fixed point;
/// the 1.x encoding keeps everything the other versions print. Errors are code 6 with a message.
enum ResultChecks {
    static func run(_ bytes: [UInt8]) {
        guard let value = try? JSONValue.parse(bytes), let object = value.objectValue else { return }
        check(object)
        if let previous = object["prevResult"]?.objectValue { check(previous) }
        if let error = CNIError(json: value) {
            let printed = error.json(version: "1.1.0")
            var expected = error
            if expected.details?.isEmpty == true { expected.details = nil }  // an empty `details` is not printed
            require(CNIError(json: printed) == expected, "error JSON does not round-trip: \(value)")
        }
    }

    static func check(_ object: JSONObject) {
        let result: CNIResult
        do { result = try CNIResult(parsing: object) } catch {
            require(error.code == .decodingFailure && !error.message.isEmpty, "result error \(error)")
            return
        }
        let full = encoded(result, .latest)
        let fromFull = parsed(full, "\(CNIVersion.latest)")
        for version in CNIVersion.allCases {
            guard let json = encoded(result, version) else { continue }
            let again = parsed(json, "\(version)")
            require(encoded(again, version) == json, "\(version) encoding is not a fixed point: \(json)")
            require(
                encoded(fromFull, version) == json, "the \(CNIVersion.latest) encoding loses \(version) data: \(json)")
        }
        require(full != nil, "no \(CNIVersion.latest) encoding")
    }

    /// The encoding for `version`, nil only where the spec has none (0.1/0.2 without an address).
    static func encoded(_ result: CNIResult, _ version: CNIVersion) -> JSONValue? {
        do { return try result.json(version: version) } catch {
            require(version.resultShape == .legacy020 && result.ips.isEmpty, "\(version) encoding failed: \(error)")
            return nil
        }
    }

    static func parsed(_ json: JSONValue?, _ what: String) -> CNIResult {
        guard let json else { return CNIResult() }
        let text = json.bytes()  // through the bytes, as a runtime or flannel reads it
        guard let object = try? JSONValue.parse(text).objectValue else {
            require(false, "\(what) encoding is not a JSON object: \(json)")
            return CNIResult()
        }
        do { return try CNIResult(parsing: object) } catch {
            require(false, "\(what) encoding does not parse (\(error)): \(json)")
            return CNIResult()
        }
    }
}
