public import CNI
public import Posix

/// Every failure flannel itself reports, and the one place where each gets its CNI code.
/// A delegate's own error is not in here: it is forwarded unchanged as the `CNIError` it printed.
///
/// | case | code |
/// |---|---|
/// | `config` (bad keys, forbidden `delegate.name`/`delegate.ipam`, …) | 7 invalid network config |
/// | `subnetEnvUnavailable` with ENOENT (flanneld has not written it yet) | 11 try again later |
/// | `subnetEnvUnavailable` with any other errno | 5 I/O failure |
/// | `subnetEnvInvalid` (missing keys, bad values) | 7 invalid network config |
/// | `storeFailed` (writing `<dataDir>/<containerID>`) | 5 I/O failure |
/// | `storedConfigUnreadable` (CHECK without a stored delegate config) | 5 I/O failure |
/// | `storedConfigCorrupt` (CHECK with a stored file that is not a delegate config) | 6 decoding failure |
/// | `notReady` (STATUS while subnet.env is missing or invalid) | 50 plugin not available |
public enum FlannelError: Error, Equatable, CNIErrorConvertible, CustomStringConvertible {
    case config(ConfigError)
    case subnetEnvUnavailable(path: String, Errno)
    case subnetEnvInvalid(SubnetEnvError)
    case storeFailed(operation: String, path: String, Errno)
    case storedConfigUnreadable(path: String, Errno)
    case storedConfigCorrupt(path: String, reason: String)
    indirect case notReady(FlannelError)

    public var cniError: CNIError {
        switch self {
        case .config(let error): error.cniError
        case .subnetEnvUnavailable(_, let errno):
            CNIError(errno == .noSuchFileOrDirectory ? .tryAgainLater : .ioFailure, description)
        case .subnetEnvInvalid: CNIError(.invalidNetworkConfig, description)
        case .storeFailed, .storedConfigUnreadable: CNIError(.ioFailure, description)
        case .storedConfigCorrupt: CNIError(.decodingFailure, description)
        case .notReady: CNIError(.pluginNotAvailable, description)
        }
    }

    /// The message texts users grep for are the reference plugin's (`failed to load flannel 'subnet.env' file`).
    public var description: String {
        switch self {
        case .config(let error): error.message
        case .subnetEnvUnavailable(let path, let errno): Self.subnetEnvMessage("open \(path): \(Self.text(errno))")
        case .subnetEnvInvalid(let error): Self.subnetEnvMessage(error.description)
        case .storeFailed(let operation, let path, let errno): "failed to \(operation) \(path): \(Self.text(errno))"
        case .storedConfigUnreadable(let path, let errno):
            "failed to read the delegate config stored by ADD: open \(path): \(Self.text(errno))"
        case .storedConfigCorrupt(let path, let reason): "the delegate config stored in \(path) is corrupt: \(reason)"
        case .notReady(let cause): "flannel is not ready: \(cause.description)"
        }
    }

    private static func subnetEnvMessage(_ cause: String) -> String {
        "failed to load flannel 'subnet.env' file: \(cause). Check the flannel pod log for this node."
    }

    /// Go's lower-case `syscall.Errno` text (`no such file or directory`), so messages match the reference.
    static func text(_ errno: Errno) -> String {
        let text = errno.description
        guard let first = text.first else { return text }
        return first.lowercased() + text.dropFirst()
    }
}

extension FlannelError {
    /// Runs a config-parsing step, turning its `ConfigError` into `.config`.
    static func parsing<T>(_ body: () throws(ConfigError) -> T) throws(FlannelError) -> T {
        do { return try body() } catch { throw .config(error) }
    }
}
