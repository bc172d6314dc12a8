import CVersion

/// Version and project identity.
public enum ProjectInfo {
    /// The release version stamped at link time (scripts/common.sh build_release), "dev" in other builds.
    public static var version: String { String(cString: swift_cni_plugins_version()) }

    /// `CNI bridge plugin (swift-cni-plugins) v1.2.0`, like the Go plugins' `CNI bridge plugin v1.1.1`; a version
    /// that does not start with a digit ("dev") is printed as is.
    public static func about(_ plugin: String) -> String {
        let version = version
        let label =
            version.utf8.first.map { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } == true
            ? "v" + version : version
        return "CNI \(plugin) plugin \(mark) \(label)"
    }

    /// What every "about" line of ours contains, and no other plugin's.
    static let mark = "(swift-cni-plugins)"

    /// Whether an "about" text (`DelegateRunner.about`) is one of ours.
    public static func isOurs(about: String) -> Bool { about.contains(mark) }
}
