/// Address and route scope (`RT_SCOPE_*`, in `ifa_scope` and `rtm_scope`).
public struct Scope: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The raw kernel value.
    public let rawValue: UInt8
    /// A value from raw kernel bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// RT_SCOPE_UNIVERSE: global.
    public static let universe = Scope(rawValue: 0)
    /// RT_SCOPE_SITE.
    public static let site = Scope(rawValue: 200)
    /// RT_SCOPE_LINK: directly attached, no gateway.
    public static let link = Scope(rawValue: 253)
    /// RT_SCOPE_HOST: this host only.
    public static let host = Scope(rawValue: 254)
    /// RT_SCOPE_NOWHERE: matches any scope in a delete request.
    public static let nowhere = Scope(rawValue: 255)

    /// Text generated from the value, for messages; never match on it.
    public var description: String {
        switch rawValue {
        case 0: "global"
        case 200: "site"
        case 253: "link"
        case 254: "host"
        case 255: "nowhere"
        default: String(rawValue)
        }
    }
}

/// The AF_INET / AF_INET6 byte of a family header.
enum IPFamilyCode: UInt8 {
    case inet = 2
    case inet6 = 10
}
