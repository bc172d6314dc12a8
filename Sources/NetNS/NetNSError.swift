public import Posix

/// The one error type of the NetNS module.
public enum NetNSError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The path does not exist (ENOENT): for CNI DEL this means the namespace is already gone.
    case notFound(path: String)
    /// The path exists but is not a network namespace (not on nsfs, or another namespace type).
    case notANamespace(path: String)
    /// `open` or `fstat` failed for another reason.
    case openFailed(Errno, path: String)
    /// The helper thread could not be created (`pthread_create`).
    case threadFailed(Errno)
    /// `setns(fd, CLONE_NEWNET)` failed on the helper thread.
    case enterFailed(Errno, path: String)

    /// Text generated from the value, for messages; never match on it.
    public var description: String {
        switch self {
        case .notFound(let path): "network namespace \(path) does not exist"
        case .notANamespace(let path): "\(path) is not a network namespace"
        case .openFailed(let errno, let path): "open network namespace \(path): \(errno)"
        case .threadFailed(let errno): "create thread for network namespace switch: \(errno)"
        case .enterFailed(let errno, let path): "setns into \(path): \(errno)"
        }
    }
}
