// The case names spell the version they stand for (v0_3_1 is 0.3.1); camel case would lose the dots.
// swift-format-ignore: AlwaysUseLowerCamelCase
/// A CNI specification version this project speaks.
public enum CNIVersion: String, CaseIterable, Comparable, Sendable, CustomStringConvertible {
    case v0_1_0 = "0.1.0"
    case v0_2_0 = "0.2.0"
    case v0_3_0 = "0.3.0"
    case v0_3_1 = "0.3.1"
    case v0_4_0 = "0.4.0"
    case v1_0_0 = "1.0.0"
    case v1_1_0 = "1.1.0"

    /// The newest version, reported by VERSION.
    public static let latest = CNIVersion.v1_1_0

    public static func < (a: CNIVersion, b: CNIVersion) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    public var description: String { rawValue }

    /// The result shape a version uses.
    public var resultShape: ResultShape {
        switch self {
        case .v0_1_0, .v0_2_0: .legacy020
        case .v0_3_0, .v0_3_1, .v0_4_0: .legacy040
        case .v1_0_0, .v1_1_0: .current
        }
    }

    /// Result JSON layouts across spec versions.
    public enum ResultShape: Sendable {
        /// `ip4`/`ip6` objects (0.1.0, 0.2.0).
        case legacy020
        /// `ips[]` with `version` (0.3.0 through 0.4.0).
        case legacy040
        /// `ips[]` without `version` (1.0.0, 1.1.0).
        case current
    }

    /// The commands a config of this version allows.
    public func allows(_ command: Command) -> Bool {
        switch command {
        case .check: self >= .v0_4_0
        case .gc, .status: self >= .v1_1_0
        default: true
        }
    }
}
