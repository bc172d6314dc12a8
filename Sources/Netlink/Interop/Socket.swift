internal import CMnl
import Posix

#if canImport(Glibc)
import Glibc
#endif

/// A NETLINK_ROUTE socket bound to the network namespace of the thread that opened it.
///
/// Every request is synchronous: send, then read until the acknowledgement (or NLMSG_DONE for dumps).
/// A socket stays in its namespace for life; to work in a container namespace, open one inside `NetNS.run`.
/// Not thread-safe: use one socket per thread.
public struct NetlinkSocket: ~Copyable {
    private let handle: OpaquePointer  // struct mnl_socket *
    private let portID: UInt32
    private let nextSequence: UnsafeMutablePointer<UInt32>
    /// One receive buffer for the socket's life: zeroing 64 KiB per request showed up in profiles.
    private let receiveBuffer: UnsafeMutableRawBufferPointer

    /// How often an interrupted dump (NLM_F_DUMP_INTR) or EINTR is retried before giving up.
    static let maxAttempts = 10
    static let receiveBufferSize = 65536

    /// Opens and binds a NETLINK_ROUTE socket (close-on-exec) with extended acks enabled.
    /// The corresponding C functions are `mnl_socket_open2` and `mnl_socket_bind`.
    public init() throws(NetlinkError) {
        guard let handle = mnl_socket_open2(NETLINK_ROUTE, Int32(SOCK_CLOEXEC.rawValue)) else {
            throw .socket(Errno.current, operation: "socket")
        }
        guard mnl_socket_bind(handle, 0, pid_t(MNL_SOCKET_AUTOPID)) == 0 else {
            let error = Errno.current
            _ = mnl_socket_close(handle)  // the bind error is the one to report
            throw .socket(error, operation: "bind")
        }
        var on: Int32 = 1
        // Optional features: without them errors just carry no detail text and echo the whole request.
        _ = mnl_socket_setsockopt(handle, NETLINK_EXT_ACK, &on, socklen_t(MemoryLayout<Int32>.size))
        _ = mnl_socket_setsockopt(handle, NETLINK_CAP_ACK, &on, socklen_t(MemoryLayout<Int32>.size))
        self.handle = handle
        self.portID = mnl_socket_get_portid(handle)
        self.nextSequence = .allocate(capacity: 1)
        self.nextSequence.initialize(to: UInt32(truncatingIfNeeded: time(nil)))
        self.receiveBuffer = .allocate(byteCount: Self.receiveBufferSize, alignment: 4)
    }

    deinit {
        _ = mnl_socket_close(handle)  // nothing useful to do if closing a netlink socket fails
        nextSequence.deallocate()
        receiveBuffer.deallocate()
    }

    /// Sends a request that expects an acknowledgement and returns the messages received before it.
    func execute(_ message: MessageBuilder, operation: String) throws(NetlinkError) -> [NetlinkMessage] {
        var request = message
        request.addFlags(MessageFlags.ack)
        return try transact(request, operation: operation)
    }

    /// Sends a dump request (NLM_F_DUMP) and returns every reply message, retrying when the kernel
    /// marks the dump as interrupted because the table changed underneath it.
    func dump(_ message: MessageBuilder, operation: String) throws(NetlinkError) -> [NetlinkMessage] {
        var request = message
        request.addFlags(MessageFlags.dump)
        return try transact(request, operation: operation)
    }

    private func transact(_ message: MessageBuilder, operation: String) throws(NetlinkError)
        -> [NetlinkMessage]
    {
        for _ in 0..<Self.maxAttempts {
            nextSequence.pointee &+= 1
            let sequence = nextSequence.pointee
            let bytes = message.finished(sequence: sequence)
            let sent = bytes.withUnsafeBytes { mnl_socket_sendto(handle, $0.baseAddress, $0.count) }
            guard sent >= 0 else {
                let error = Errno.current
                if error == .interrupted { continue }
                throw .socket(error, operation: "sendto")
            }
            if let replies = try receive(sequence: sequence, operation: operation) { return replies }
        }
        throw .interrupted(operation: operation)
    }

    /// Reads until the ack/done for `sequence`. Returns nil when the dump must be restarted (NLM_F_DUMP_INTR).
    private func receive(sequence: UInt32, operation: String) throws(NetlinkError) -> [NetlinkMessage]? {
        var collector = ReplyCollector(sequence: sequence, portID: portID, operation: operation)
        var interruptions = 0
        while true {
            let count = mnl_socket_recvfrom(handle, receiveBuffer.baseAddress, receiveBuffer.count)
            if count < 0 {
                let error = Errno.current
                interruptions += 1
                if error == .interrupted, interruptions < Self.maxAttempts { continue }
                throw error == .interrupted ? .interrupted(operation: operation) : .socket(error, operation: "recvfrom")
            }
            let received = Array(UnsafeRawBufferPointer(rebasing: receiveBuffer[0..<count]))
            switch try collector.consume(NetlinkMessage.split(received[...])) {
            case .needMore: continue
            case .complete(let replies): return replies
            case .restart: return nil
            }
        }
    }
}
