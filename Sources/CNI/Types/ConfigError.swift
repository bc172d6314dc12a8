public import Addressing
public import JSON

/// An invalid network configuration, naming the key path (`ipam.ranges[0][1].subnet`). Code 7.
public struct ConfigError: Error, Equatable, Sendable, CNIErrorConvertible, CustomStringConvertible {
    public var message: String
    public var code: CNIError.Code

    public init(_ message: String, code: CNIError.Code = .invalidNetworkConfig) {
        self.message = message
        self.code = code
    }

    public static func missing(_ path: String) -> ConfigError { ConfigError("missing required key \"\(path)\"") }

    public static func wrongType(_ path: String, expected: String, got: JSONValue) -> ConfigError {
        ConfigError("\"\(path)\" must be \(expected), got \(got.typeName) \(got)")
    }

    public static func invalid(_ path: String, _ reason: String) -> ConfigError {
        ConfigError("invalid \"\(path)\": \(reason)")
    }

    public var description: String { message }
    public var cniError: CNIError { CNIError(code, message) }
}

/// Reads a config object by consuming keys; whatever is not taken stays in `remaining`.
/// JSON `null` counts as absent, as in Go's decoder.
public struct ConfigReader: Sendable {
    public private(set) var remaining: JSONObject
    public let path: String

    public init(_ object: JSONObject, path: String = "") {
        self.remaining = object
        self.path = path
    }

    /// The key path of `key` under this reader (`ipam.subnet`).
    public func path(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    public mutating func take(_ key: String) -> JSONValue? {
        guard let value = remaining.removeValue(forKey: key), !value.isNull else { return nil }
        return value
    }

    public mutating func string(_ key: String) throws(ConfigError) -> String? {
        guard let value = take(key) else { return nil }
        guard let s = value.stringValue else { throw .wrongType(path(key), expected: "a string", got: value) }
        return s
    }

    public mutating func requiredString(_ key: String) throws(ConfigError) -> String {
        guard let s = try string(key), !s.isEmpty else { throw .missing(path(key)) }
        return s
    }

    public mutating func bool(_ key: String) throws(ConfigError) -> Bool? {
        guard let value = take(key) else { return nil }
        guard let b = value.boolValue else { throw .wrongType(path(key), expected: "a boolean", got: value) }
        return b
    }

    public mutating func integer(_ key: String, in range: ClosedRange<Int64>) throws(ConfigError) -> Int? {
        guard let value = take(key) else { return nil }
        guard let i = value.integerValue else { throw .wrongType(path(key), expected: "an integer", got: value) }
        guard range.contains(i) else {
            throw .invalid(path(key), "\(i) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return Int(i)
    }

    public mutating func object(_ key: String) throws(ConfigError) -> JSONObject? {
        guard let value = take(key) else { return nil }
        guard let o = value.objectValue else { throw .wrongType(path(key), expected: "an object", got: value) }
        return o
    }

    public mutating func array(_ key: String) throws(ConfigError) -> [JSONValue]? {
        guard let value = take(key) else { return nil }
        guard let a = value.arrayValue else { throw .wrongType(path(key), expected: "an array", got: value) }
        return a
    }

    public mutating func stringArray(_ key: String) throws(ConfigError) -> [String]? {
        guard let items = try array(key) else { return nil }
        return try items.enumerated().map { (i, item) throws(ConfigError) in
            guard let s = item.stringValue else {
                throw .wrongType(path(key) + "[\(i)]", expected: "a string", got: item)
            }
            return s
        }
    }

    /// A CIDR such as `10.244.1.0/24` (host bits kept as written).
    public mutating func network(_ key: String) throws(ConfigError) -> IPNetwork? {
        guard let text = try string(key) else { return nil }
        guard let network = IPNetwork(text) else { throw .invalid(path(key), "\"\(text)\" is not a CIDR") }
        return network
    }

    /// A single IP address.
    public mutating func address(_ key: String) throws(ConfigError) -> IPAddress? {
        guard let text = try string(key) else { return nil }
        guard let ip = IPAddress(text) else { throw .invalid(path(key), "\"\(text)\" is not an IP address") }
        return ip
    }

    /// A reader for a nested object at `key` (`ipam`), or nil when absent.
    public mutating func nested(_ key: String) throws(ConfigError) -> ConfigReader? {
        try object(key).map { ConfigReader($0, path: path(key)) }
    }
}
