/// `CNI_COMMAND`.
public enum Command: String, CaseIterable, Sendable {
    case add = "ADD"
    case del = "DEL"
    case check = "CHECK"
    case gc = "GC"
    case status = "STATUS"
    case version = "VERSION"

    /// Variables that must be set and non-empty (the reference skel's table; `CNI_PATH` is only
    /// required where a plugin may have to find a delegate).
    public var requiredVariables: [String] {
        switch self {
        case .add, .check: ["CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH"]
        case .del: ["CNI_CONTAINERID", "CNI_IFNAME", "CNI_PATH"]
        case .gc: ["CNI_PATH"]
        case .status, .version: []
        }
    }

    /// Whether the command is about one attachment (container ID and ifname are validated).
    public var isPerAttachment: Bool { self == .add || self == .del || self == .check }
}
