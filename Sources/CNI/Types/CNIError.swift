public import JSON
public import Posix

/// The only error that goes on the wire: printed as JSON on stdout by the skel.
public struct CNIError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Well-known CNI error codes (spec §Error) plus the Go-only ones.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        public static let incompatibleCNIVersion = Code(rawValue: 1)
        public static let unsupportedField = Code(rawValue: 2)
        public static let unknownContainer = Code(rawValue: 3)
        public static let invalidEnvironmentVariables = Code(rawValue: 4)
        public static let ioFailure = Code(rawValue: 5)
        public static let decodingFailure = Code(rawValue: 6)
        public static let invalidNetworkConfig = Code(rawValue: 7)
        public static let invalidNetNS = Code(rawValue: 8)
        public static let tryAgainLater = Code(rawValue: 11)
        public static let pluginNotAvailable = Code(rawValue: 50)
        public static let pluginNotAvailableLimitedConnectivity = Code(rawValue: 51)
        public static let internalError = Code(rawValue: 999)

        public var description: String { String(rawValue) }
    }

    public var code: Code
    public var message: String
    public var details: String?

    public init(_ code: Code, _ message: String, details: String? = nil) {
        self.code = code
        self.message = message
        self.details = details
    }

    /// Prefixes the message with the step that failed, keeping the code: `"<context>: <message>"`.
    public func prefixed(_ context: String) -> CNIError {
        CNIError(code, context + ": " + message, details: details)
    }

    public var description: String {
        "\(message)" + (details.map { "; \($0)" } ?? "") + " (code \(code))"
    }

    /// `{"cniVersion", "code", "msg", "details"?}`.
    public func json(version: String) -> JSONValue {
        var object: JSONObject = [
            "cniVersion": .string(version), "code": .integer(Int64(code.rawValue)), "msg": .string(message)
        ]
        if let details, !details.isEmpty { object["details"] = .string(details) }
        return .object(object)
    }

    /// Parses a delegate's error output (`{"code":..,"msg":..}`); nil if it is not one.
    public init?(json: JSONValue) {
        guard let object = json.objectValue, let code = object["code"]?.integerValue, code > 0 else { return nil }
        self.init(Code(rawValue: Int(code)), object["msg"]?.stringValue ?? "", details: object["details"]?.stringValue)
    }
}

/// A library error that knows its CNI wire form. Each plugin's `Errors.swift` is the one place
/// where its library errors get codes.
public protocol CNIErrorConvertible: Error {
    var cniError: CNIError { get }
}

extension CNIError: CNIErrorConvertible {
    public var cniError: CNIError { self }
}

/// A system call's failure that no plugin error wrapped: I/O (5), in every plugin.
extension Errno: CNIErrorConvertible {
    public var cniError: CNIError { CNIError(.ioFailure, description) }
}

/// Runs a step and prefixes any error with `context`, keeping its code (`try step("attach veth") { … }`).
public func step<T>(_ context: String, _ body: () throws -> T) throws(CNIError) -> T {
    do {
        return try body()
    } catch {
        throw CNIError(wrapping: error).prefixed(context)
    }
}

extension CNIError {
    /// The wire form of any error: a `CNIErrorConvertible`'s own, otherwise code 999 with its description.
    public init(wrapping error: any Error) {
        if let convertible = error as? any CNIErrorConvertible {
            self = convertible.cniError
        } else {
            self.init(.internalError, "\(error)")
        }
    }
}
