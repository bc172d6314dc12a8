#if canImport(Glibc)
import Glibc
#endif

/// A POSIX error number, captured right after the failing call.
public struct Errno: Error, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32

    public init(_ rawValue: Int32) { self.rawValue = rawValue }

    /// The calling thread's `errno`.
    public static var current: Errno { Errno(errno) }

    public static let notPermitted = Errno(EPERM)
    public static let noSuchFileOrDirectory = Errno(ENOENT)
    public static let interrupted = Errno(EINTR)
    public static let ioError = Errno(EIO)
    public static let badFileDescriptor = Errno(EBADF)
    public static let tryAgain = Errno(EAGAIN)
    public static let noMemory = Errno(ENOMEM)
    public static let permissionDenied = Errno(EACCES)
    public static let busy = Errno(EBUSY)
    public static let fileExists = Errno(EEXIST)
    public static let noSuchDevice = Errno(ENODEV)
    public static let notDirectory = Errno(ENOTDIR)
    public static let isDirectory = Errno(EISDIR)
    public static let invalidArgument = Errno(EINVAL)
    public static let noSpace = Errno(ENOSPC)
    public static let textFileBusy = Errno(ETXTBSY)
    public static let readOnlyFileSystem = Errno(EROFS)
    public static let notSupported = Errno(EOPNOTSUPP)
    public static let addressNotAvailable = Errno(EADDRNOTAVAIL)
    public static let noSuchProcess = Errno(ESRCH)
    public static let timedOut = Errno(ETIMEDOUT)
    public static let wouldBlock = Errno(EWOULDBLOCK)
    public static let noBufferSpace = Errno(ENOBUFS)
    public static let outOfRange = Errno(ERANGE)
    public static let noSuchAddress = Errno(ENXIO)
    public static let notEmpty = Errno(ENOTEMPTY)
    public static let tooManySymbolicLinks = Errno(ELOOP)

    /// `strerror` text, e.g. "No such file or directory".
    public var description: String { String(cString: strerror(rawValue)) }
}

/// Runs `body` until it stops failing with EINTR; turns -1 into the captured errno.
@inline(__always)
public func retryingOnInterrupt<T: FixedWidthInteger>(_ body: () -> T) throws(Errno) -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        let error = Errno.current
        if error != .interrupted { throw error }
    }
}
