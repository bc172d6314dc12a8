import Posix

// Matching replies to a request: pure logic, separate from the socket so it can be tested with synthetic messages.

/// Collects the replies to one request, message by message, across as many `recvfrom` calls as it takes.
///
/// Messages with another sequence number (stale replies of an earlier, interrupted request) or another port id are
/// skipped. NLMSG_ERROR with code 0 is the acknowledgement; a negative code becomes `NetlinkError.kernel`.
/// NLMSG_DONE ends a dump; if any message of the dump carried NLM_F_DUMP_INTR, the dump must be restarted.
struct ReplyCollector {
    enum Outcome: Equatable {
        /// The request is not finished: read more.
        case needMore
        /// Acknowledged or dump done: the replies in order.
        case complete([NetlinkMessage])
        /// The kernel marked the dump inconsistent (NLM_F_DUMP_INTR): send it again.
        case restart
    }

    let sequence: UInt32
    let portID: UInt32
    let operation: String
    private(set) var replies: [NetlinkMessage] = []
    private(set) var interrupted = false

    init(sequence: UInt32, portID: UInt32, operation: String) {
        self.sequence = sequence
        self.portID = portID
        self.operation = operation
    }

    /// Feeds the messages of one receive buffer.
    mutating func consume(_ messages: [NetlinkMessage]) throws(NetlinkError) -> Outcome {
        for message in messages {
            guard message.sequence == sequence, message.portID == 0 || message.portID == portID else { continue }
            if message.flags & MessageFlags.dumpInterrupted != 0 { interrupted = true }
            switch message.type {
            case MessageType.error:
                guard let payload = ErrorPayload(message) else { throw .malformedReply(operation: operation) }
                guard payload.code == 0 else {
                    throw .kernel(Errno(-payload.code), operation: operation, detail: payload.message)
                }
                return interrupted ? .restart : .complete(replies)
            case MessageType.done:
                // A dump can end with an error code in NLMSG_DONE's payload.
                if let code = message.payload.integer(at: 0, as: Int32.self), code < 0 {
                    throw .kernel(Errno(-code), operation: operation, detail: nil)
                }
                return interrupted ? .restart : .complete(replies)
            case MessageType.noop:
                continue
            default:
                replies.append(message)
            }
        }
        return .needMore
    }
}

extension NetlinkMessage: Equatable {
    static func == (a: NetlinkMessage, b: NetlinkMessage) -> Bool {
        a.type == b.type && a.flags == b.flags && a.sequence == b.sequence && a.portID == b.portID
            && a.payload.elementsEqual(b.payload)
    }
}
