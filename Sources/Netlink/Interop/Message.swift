// Building netlink messages into a Swift-owned byte array. Pure code: no syscalls, so every request can be
// compared against golden bytes in the unit tests.

/// Appends fixed-width integers in host byte order (what netlink uses, except where noted as network order).
extension Array where Element == UInt8 {
    mutating func appendInteger<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value) { append(contentsOf: $0) }
    }

    mutating func storeInteger<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        Swift.withUnsafeBytes(of: value) { raw in
            for (i, byte) in raw.enumerated() { self[offset + i] = byte }
        }
    }

    mutating func padToAlignment() {
        while count % 4 != 0 { append(0) }
    }
}

/// Rounds a length up to the 4-byte netlink alignment (`NLMSG_ALIGN`, `NLA_ALIGN`).
@inline(__always)
func netlinkAligned(_ length: Int) -> Int { (length + 3) & ~3 }

/// One netlink request under construction: a 16-byte `nlmsghdr`, a family header, then attributes.
/// The length, sequence number and port id are filled in by `finished(sequence:portID:)`.
struct MessageBuilder {
    static let headerLength = 16
    static let attributeHeaderLength = 4

    private(set) var bytes: [UInt8]
    private var openNests: [Int] = []

    /// Starts a message of `type` with `flags` (NLM_F_REQUEST is always added).
    init(type: UInt16, flags: UInt16) {
        bytes = []
        bytes.reserveCapacity(256)
        bytes.appendInteger(UInt32(0))  // nlmsg_len, set when finished
        bytes.appendInteger(type)  // nlmsg_type
        bytes.appendInteger(flags | MessageFlags.request)  // nlmsg_flags
        bytes.appendInteger(UInt32(0))  // nlmsg_seq
        bytes.appendInteger(UInt32(0))  // nlmsg_pid
    }

    var type: UInt16 { bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 4, as: UInt16.self) } }
    var flags: UInt16 { bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 6, as: UInt16.self) } }

    /// Adds flags after construction (e.g. NLM_F_ACK for requests that expect an acknowledgement).
    mutating func addFlags(_ extra: UInt16) { bytes.storeInteger(flags | extra, at: 6) }

    /// Appends raw bytes (a family header), padded to 4 bytes.
    mutating func appendHeader(_ header: [UInt8]) {
        bytes.append(contentsOf: header)
        bytes.padToAlignment()
    }

    /// Appends one attribute (`struct nlattr` + payload + padding).
    mutating func put(_ type: UInt16, _ payload: [UInt8]) {
        let length = Self.attributeHeaderLength + payload.count
        precondition(length <= Int(UInt16.max), "netlink attribute too long")
        bytes.appendInteger(UInt16(length))
        bytes.appendInteger(type)
        bytes.append(contentsOf: payload)
        bytes.padToAlignment()
    }

    mutating func put<T: FixedWidthInteger>(_ type: UInt16, integer value: T) {
        var payload: [UInt8] = []
        payload.appendInteger(value)
        put(type, payload)
    }

    /// A NUL-terminated string attribute (`NLA_STRING`/`NLA_NUL_STRING`).
    mutating func put(_ type: UInt16, string: String) {
        put(type, Array(string.utf8) + [0])
    }

    /// Opens a nested attribute; close it with `endNest()`. The NLA_F_NESTED bit is set when `flagged`.
    mutating func beginNest(_ type: UInt16, flagged: Bool = false) {
        openNests.append(bytes.count)
        bytes.appendInteger(UInt16(0))
        bytes.appendInteger(flagged ? type | NetlinkConstant.attributeNested : type)
    }

    mutating func endNest() {
        let start = openNests.removeLast()
        bytes.storeInteger(UInt16(bytes.count - start), at: start)
    }

    /// `nest(type) { ... }` for readability at call sites.
    mutating func nest(_ type: UInt16, flagged: Bool = false, _ body: (inout MessageBuilder) -> Void) {
        beginNest(type, flagged: flagged)
        body(&self)
        endNest()
    }

    /// The finished message with `nlmsg_len`, `nlmsg_seq` and `nlmsg_pid` filled in.
    func finished(sequence: UInt32, portID: UInt32 = 0) -> [UInt8] {
        precondition(openNests.isEmpty, "unbalanced nested attribute")
        var out = bytes
        out.storeInteger(UInt32(out.count), at: 0)
        out.storeInteger(sequence, at: 8)
        out.storeInteger(portID, at: 12)
        return out
    }
}

// MARK: - Family headers

/// `struct ifinfomsg` (16 bytes).
func makeInterfaceInfoHeader(
    family: UInt8 = Family.unspecified, index: Int32 = 0, flags: UInt32 = 0, change: UInt32 = 0
) -> [UInt8] {
    var header: [UInt8] = [family, 0]  // ifi_family, __ifi_pad
    header.appendInteger(UInt16(0))  // ifi_type
    header.appendInteger(index)  // ifi_index
    header.appendInteger(flags)  // ifi_flags
    header.appendInteger(change)  // ifi_change
    return header
}

/// `struct ifaddrmsg` (8 bytes).
func makeInterfaceAddressHeader(family: UInt8, prefixLength: UInt8, flags: UInt8, scope: UInt8, index: Int32)
    -> [UInt8]
{
    var header: [UInt8] = [family, prefixLength, flags, scope]
    header.appendInteger(UInt32(bitPattern: index))
    return header
}

/// `struct rtmsg` (12 bytes).
struct RouteHeader {
    var family: UInt8, destinationLength: UInt8 = 0, sourceLength: UInt8 = 0, tos: UInt8 = 0
    var table: UInt8 = 0, routingProtocol: UInt8 = 0, scope: UInt8 = 0, type: UInt8 = 0, flags: UInt32 = 0

    var bytes: [UInt8] {
        var header = [family, destinationLength, sourceLength, tos, table, routingProtocol, scope, type]
        header.appendInteger(flags)
        return header
    }
}

/// `struct ndmsg` (12 bytes).
func makeNeighborHeader(family: UInt8, index: Int32, state: UInt16, flags: UInt8, type: UInt8 = 0) -> [UInt8] {
    var header: [UInt8] = [family, 0]  // ndm_family, ndm_pad1
    header.appendInteger(UInt16(0))  // ndm_pad2
    header.appendInteger(index)  // ndm_ifindex
    header.appendInteger(state)  // ndm_state
    header.append(flags)  // ndm_flags
    header.append(type)  // ndm_type
    return header
}
