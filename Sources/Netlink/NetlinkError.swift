public import Posix

/// The one error type of the Netlink module, thrown with typed throws by every public call.
///
/// Match on values (`error.isNotFound`, `case .kernel(.fileExists, _, _)`), never on the description text.
public enum NetlinkError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kernel answered a request with NLMSG_ERROR. `operation` names the request (e.g. `"RTM_NEWLINK veth0"`),
    /// `detail` is the kernel's extended-ack message (NLMSGERR_ATTR_MSG) when it sent one.
    case kernel(Errno, operation: String, detail: String?)
    /// A socket call (`socket`, `bind`, `sendto`, `recvfrom`) failed.
    case socket(Errno, operation: String)
    /// A reply was missing or could not be parsed.
    case malformedReply(operation: String)
    /// A dump was interrupted (NLM_F_DUMP_INTR) or EINTR hit more often than the retry bound.
    case interrupted(operation: String)
    /// A link exists under the requested name but is of another kind (e.g. a bridge name taken by a dummy).
    case wrongKind(name: String, expected: String, actual: String?)
    /// A link named in a request does not exist.
    case linkNotFound(String)
    /// A `/proc/sys` key could not be read or written.
    case sysctl(Errno, key: String)
    /// A request the library refuses to send (e.g. an IPv6 gateway on an IPv4 route).
    case invalidArgument(String)

    /// The error number, if the error came from the kernel or a system call.
    public var errno: Errno? {
        switch self {
        case .kernel(let errno, _, _), .socket(let errno, _), .sysctl(let errno, _): errno
        default: nil
        }
    }

    /// The object does not exist: ENODEV (link), ENOENT (link by name on older kernels, neighbor),
    /// ESRCH (route), EADDRNOTAVAIL (address), or `.linkNotFound`.
    public var isNotFound: Bool {
        if case .linkNotFound = self { return true }
        guard case .kernel(let errno, _, _) = self else { return false }
        return [.noSuchDevice, .noSuchFileOrDirectory, .noSuchProcess, .addressNotAvailable].contains(errno)
    }

    /// The object already exists (EEXIST): a name clash on link creation, a duplicate address or route.
    public var isExists: Bool { errno == .fileExists && isKernel }

    private var isKernel: Bool {
        if case .kernel = self { return true }
        return false
    }

    /// Text generated from the value, for messages; never match on it.
    public var description: String {
        switch self {
        case .kernel(let errno, let operation, let detail):
            "\(operation): \(errno)" + (detail.map { " (\($0))" } ?? "")
        case .socket(let errno, let operation): "netlink \(operation): \(errno)"
        case .malformedReply(let operation): "\(operation): malformed or missing netlink reply"
        case .interrupted(let operation): "\(operation): interrupted too often, giving up"
        case .wrongKind(let name, let expected, let actual):
            "\"\(name)\" already exists but is not a \(expected)" + (actual.map { " (it is a \($0))" } ?? "")
        case .linkNotFound(let name): "link \"\(name)\" not found"
        case .sysctl(let errno, let key): "sysctl \(key): \(errno)"
        case .invalidArgument(let text): "invalid netlink request: \(text)"
        }
    }
}
