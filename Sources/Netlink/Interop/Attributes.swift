// Parsing netlink replies. Pure, bounds-checked functions over byte slices: truncated or garbage input ends the
// sequence early, it never traps. This is the project's own parser in place of mnl_attr_ok/mnl_attr_next, so it can
// be fuzzed without a socket.

/// Reads a fixed-width integer in host byte order at `offset` of a slice; nil when out of bounds.
extension ArraySlice where Element == UInt8 {
    func integer<T: FixedWidthInteger>(at offset: Int, as type: T.Type = T.self) -> T? {
        let size = MemoryLayout<T>.size
        guard offset >= 0, offset <= count - size else { return nil }
        return withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
    }

    /// A sub-slice by relative offsets; nil when out of bounds.
    func bytes(at offset: Int, count length: Int) -> ArraySlice<UInt8>? {
        guard offset >= 0, length >= 0, offset <= count - length else { return nil }
        let start = startIndex + offset
        return self[start..<start + length]
    }
}

/// One `nlmsghdr` and its payload.
struct NetlinkMessage {
    var type: UInt16
    var flags: UInt16
    var sequence: UInt32
    var portID: UInt32
    var payload: ArraySlice<UInt8>

    /// Splits a receive buffer into messages (`mnl_nlmsg_ok`/`mnl_nlmsg_next`). Stops at the first malformed header.
    static func split(_ buffer: ArraySlice<UInt8>) -> [NetlinkMessage] {
        var messages: [NetlinkMessage] = []
        var rest = buffer
        while let length = rest.integer(at: 0, as: UInt32.self), length >= UInt32(MessageBuilder.headerLength),
            length <= UInt32(rest.count)
        {
            let size = Int(length)
            messages.append(
                NetlinkMessage(
                    type: rest.integer(at: 4)!, flags: rest.integer(at: 6)!, sequence: rest.integer(at: 8)!,
                    portID: rest.integer(at: 12)!, payload: rest.bytes(at: 16, count: size - 16)!))
            let next = Swift.min(netlinkAligned(size), rest.count)
            rest = rest.dropFirst(next)
        }
        return messages
    }

    /// Attributes after a family header of `headerLength` bytes (aligned); empty if the payload is too short.
    func attributes(afterHeader headerLength: Int) -> Attributes {
        let offset = netlinkAligned(headerLength)
        guard payload.count >= offset else { return Attributes(ArraySlice()) }
        return Attributes(payload.dropFirst(offset))
    }
}

/// One `struct nlattr`.
struct Attribute {
    /// The type without the NLA_F_NESTED / NLA_F_NET_BYTEORDER bits.
    var type: UInt16
    var payload: ArraySlice<UInt8>

    var uint8: UInt8? { payload.integer(at: 0) }
    var uint16: UInt16? { payload.integer(at: 0) }
    var uint32: UInt32? { payload.integer(at: 0) }
    var int32: Int32? { payload.integer(at: 0) }

    /// A NUL-terminated (or unterminated) string payload.
    var string: String {
        let end = payload.firstIndex(of: 0) ?? payload.endIndex
        return String(decoding: payload[payload.startIndex..<end], as: UTF8.self)
    }

    /// The payload as nested attributes.
    var nested: Attributes { Attributes(payload) }
}

/// A bounds-checked sequence of attributes in a byte slice.
struct Attributes: Sequence {
    var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    struct Iterator: IteratorProtocol {
        var rest: ArraySlice<UInt8>

        mutating func next() -> Attribute? {
            guard let length = rest.integer(at: 0, as: UInt16.self), let type = rest.integer(at: 2, as: UInt16.self),
                Int(length) >= MessageBuilder.attributeHeaderLength, Int(length) <= rest.count,
                let payload = rest.bytes(at: 4, count: Int(length) - 4)
            else {
                rest = ArraySlice()
                return nil
            }
            rest = rest.dropFirst(Swift.min(netlinkAligned(Int(length)), rest.count))
            return Attribute(type: type & NetlinkConstant.attributeTypeMask, payload: payload)
        }
    }

    func makeIterator() -> Iterator { Iterator(rest: bytes) }

    /// The first attribute of `type`. Walks the headers in place and slices out only the match: parsing a link
    /// asks for a dozen types among ~50 attributes, and iterating (a payload slice per attribute) was a visible part
    /// of a bridge ADD's instructions. Stops where iteration stops: at the first malformed header.
    func first(_ type: UInt16) -> Attribute? {
        let found: (offset: Int, length: Int)? = bytes.withUnsafeBytes { raw in
            var offset = 0
            while raw.count - offset >= MessageBuilder.attributeHeaderLength {
                let length = Int(raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
                guard length >= MessageBuilder.attributeHeaderLength, length <= raw.count - offset else { return nil }
                let kind = raw.loadUnaligned(fromByteOffset: offset + 2, as: UInt16.self)
                if kind & NetlinkConstant.attributeTypeMask == type { return (offset, length) }
                offset += netlinkAligned(length)
            }
            return nil
        }
        guard let found else { return nil }
        let start = bytes.startIndex + found.offset + MessageBuilder.attributeHeaderLength
        return Attribute(type: type, payload: bytes[start..<bytes.startIndex + found.offset + found.length])
    }

    /// Calls `body` with each attribute, in order, walking the headers in place (no iterator state, no dropFirst per
    /// attribute); stops where iteration stops, at the first malformed header. For one pass over a message that
    /// wants several types.
    func forEachInPlace(_ body: (Attribute) -> Void) {
        let count = bytes.count
        let base = bytes.startIndex
        var offset = 0
        while count - offset >= MessageBuilder.attributeHeaderLength {
            let header = bytes.withUnsafeBytes { raw in
                (
                    raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self),
                    raw.loadUnaligned(fromByteOffset: offset + 2, as: UInt16.self)
                )
            }
            let length = Int(header.0)
            guard length >= MessageBuilder.attributeHeaderLength, length <= count - offset else { return }
            let start = base + offset + MessageBuilder.attributeHeaderLength
            let payload = bytes[start..<base + offset + length]
            body(Attribute(type: header.1 & NetlinkConstant.attributeTypeMask, payload: payload))
            offset += netlinkAligned(length)
        }
    }

    /// All attributes of `type`, in order.
    func all(_ type: UInt16) -> [Attribute] { filter { $0.type == type } }
}

/// The payload of an NLMSG_ERROR message: `struct nlmsgerr` (error code + original header) and, with
/// NETLINK_EXT_ACK, trailing attributes holding the kernel's explanation.
struct ErrorPayload {
    /// 0 for an acknowledgement, otherwise the negated errno.
    var code: Int32
    /// NLMSGERR_ATTR_MSG, when the kernel sent one.
    var message: String?

    init?(_ message: NetlinkMessage) {
        guard let code = message.payload.integer(at: 0, as: Int32.self) else { return nil }
        self.code = code
        // The echoed request is just its header when NLM_F_CAPPED is set, else the whole request.
        var echoed = MessageBuilder.headerLength
        if message.flags & NetlinkConstant.capAck == 0, let length = message.payload.integer(at: 4, as: UInt32.self) {
            echoed = Int(length)
        }
        if message.flags & NetlinkConstant.ackTLVs != 0, message.payload.count >= 4 + netlinkAligned(echoed) {
            let tlvs = Attributes(message.payload.dropFirst(4 + netlinkAligned(echoed)))
            self.message = tlvs.first(NetlinkConstant.extendedAckMessage)?.string
        }
    }
}
