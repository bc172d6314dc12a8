public import JSON

/// An attachment: the unit the runtime adds and deletes (`CNI_CONTAINERID`, `CNI_IFNAME`).
public struct Attachment: Hashable, Sendable {
    public var containerID: String
    public var ifName: String
    public init(containerID: String, ifName: String) {
        self.containerID = containerID
        self.ifName = ifName
    }
}

/// The plugin configuration from stdin: the keys every plugin reads, plus the whole object
/// (in original order) for plugin-specific parsing and pass-through.
public struct NetworkConfig: Sendable, Equatable {
    /// The version string as written (a missing `cniVersion` means 0.1.0).
    public var cniVersion: CNIVersion
    public var name: String
    public var type: String
    public var ipam: JSONObject?
    public var dns: JSONObject?
    public var runtimeConfig: JSONObject
    /// `args` (its `cni` member carries `ips`, `mac`, `labels`).
    public var args: JSONObject?
    public var prevResult: JSONObject?
    /// GC input: `cni.dev/valid-attachments` and the older `cni.dev/attachments`, merged; nil when neither
    /// key is present (null or `[]` is an empty set: nothing is valid).
    public var validAttachments: Set<Attachment>?
    /// The whole document, keys in original order.
    public var raw: JSONObject
    /// The exact stdin bytes (forwarded unchanged to IPAM, as the Go plugins do).
    public var bytes: [UInt8]

    /// `args.cni` or empty.
    public var cniArgs: JSONObject { args?["cni"]?.objectValue ?? [:] }
}

extension NetworkConfig {
    /// Parses stdin. Errors: 6 for undecodable JSON or a non-string version, 1 for an unsupported
    /// version, 7 for a missing or invalid `name` and malformed well-known keys.
    public init(parsing bytes: [UInt8]) throws(CNIError) {
        try self.init(object: try Self.decode(bytes), bytes: bytes)
    }

    /// The stdin document as a JSON object (code 6 otherwise).
    public static func decode(_ bytes: [UInt8]) throws(CNIError) -> JSONObject {
        let document: JSONValue
        do {
            document = try JSONValue.parse(bytes)
        } catch {
            throw CNIError(.decodingFailure, "error parsing network config: \(error)")
        }
        guard let object = document.objectValue else {
            throw CNIError(
                .decodingFailure, "error parsing network config: expected a JSON object, got \(document.typeName)")
        }
        return object
    }

    /// The config from an already decoded document and the bytes it came from.
    public init(object: JSONObject, bytes: [UInt8]) throws(CNIError) {
        self.raw = object
        self.bytes = bytes
        self.cniVersion = try Self.version(of: object)
        var reader = ConfigReader(object)
        do throws(ConfigError) {
            name = try reader.string("name") ?? ""
            type = try reader.string("type") ?? ""
            ipam = try reader.object("ipam")
            dns = try reader.object("dns")
            runtimeConfig = try reader.object("runtimeConfig") ?? [:]
            args = try reader.object("args")
            prevResult = try reader.object("prevResult")
            validAttachments = try Self.attachments(&reader)
        } catch {
            throw error.cniError
        }
        guard !name.isEmpty else { throw CNIError(.invalidNetworkConfig, "missing network name") }
        guard Identifiers.isValidName(name) else {
            throw CNIError(.invalidNetworkConfig, "invalid characters found in network name", details: name)
        }
    }

    /// The config version; a missing one means 0.1.0 (libcni's `DecodeVersion`).
    static func version(of object: JSONObject) throws(CNIError) -> CNIVersion {
        guard let value = object["cniVersion"], !value.isNull else { return .v0_1_0 }
        guard let text = value.stringValue else {
            throw CNIError(.decodingFailure, "\"cniVersion\" must be a string, got \(value)")
        }
        if text.isEmpty { return .v0_1_0 }
        guard let version = CNIVersion(rawValue: text) else {
            let supported = CNIVersion.allCases.map(\.rawValue).joined(separator: " ")
            throw CNIError(
                .incompatibleCNIVersion, "incompatible CNI versions",
                details: "config is \"\(text)\", plugin supports [\(supported)]")
        }
        return version
    }

    /// Both keys merged. A key that is present but `null` means "no valid attachments" (Go marshals an
    /// empty slice as null); nil is returned only when neither key is present at all.
    private static func attachments(_ reader: inout ConfigReader) throws(ConfigError) -> Set<Attachment>? {
        let keys = ["cni.dev/valid-attachments", "cni.dev/attachments"]
        guard keys.contains(where: { reader.remaining.contains($0) }) else { return nil }
        let lists = [try reader.array(keys[0]), try reader.array(keys[1])]
        var result = Set<Attachment>()
        for (key, list) in zip(keys, lists) {
            for (i, item) in (list ?? []).enumerated() {
                guard let o = item.objectValue, let id = o["containerID"]?.stringValue,
                    let ifName = o["ifname"]?.stringValue
                else { throw .invalid("\(key)[\(i)]", "expected {\"containerID\": string, \"ifname\": string}") }
                result.insert(Attachment(containerID: id, ifName: ifName))
            }
        }
        return result
    }
}
