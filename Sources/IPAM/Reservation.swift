public import Addressing
import Posix

/// Who an address is reserved for: the CNI attachment (`CNI_CONTAINERID`, `CNI_IFNAME`).
public struct Owner: Hashable, Sendable, CustomStringConvertible {
    public var containerID: String
    public var ifName: String

    public init(containerID: String, ifName: String) {
        self.containerID = containerID
        self.ifName = ifName
    }

    public var description: String { "\(containerID)/\(ifName)" }
}

/// One reserved address and what its record says about the holder.
///
/// Records are `<containerID>\r\n<ifname>`; legacy records (plugins before v0.7) hold only the
/// container ID. Like Go, records are compared after trimming surrounding whitespace.
public struct Reservation: Hashable, Sendable {
    public var address: IPAddress
    /// The container ID; empty when the record is empty (a Go process killed mid-write).
    public var containerID: String
    /// The interface name; nil for a legacy, ID-only record.
    public var ifName: String?

    public init(address: IPAddress, containerID: String, ifName: String?) {
        self.address = address
        self.containerID = containerID
        self.ifName = ifName
    }

    /// Parses a record's bytes (pure).
    public init(address: IPAddress, record: [UInt8]) {
        let text = Self.trimmed(record[...])
        self.address = address
        if let cr = text.indices.first(where: { text[$0] == 0x0D && $0 + 1 < text.endIndex && text[$0 + 1] == 0x0A }) {
            containerID = String(decoding: text[..<cr], as: UTF8.self)
            ifName = String(decoding: text[(cr + 2)...], as: UTF8.self)
        } else {
            containerID = String(decoding: text, as: UTF8.self)
            ifName = nil
        }
    }

    /// The bytes Go host-local writes for `owner`: `<containerID>\r\n<ifname>`, no trailing newline.
    public static func record(for owner: Owner) -> [UInt8] {
        Array(trimmed(Array(owner.containerID.utf8)[...])) + [0x0D, 0x0A] + Array(owner.ifName.utf8)
    }

    /// Whether the record names exactly this attachment.
    public func isHeld(by owner: Owner) -> Bool {
        ifName == owner.ifName && containerID == owner.containerID
    }

    /// Whether this is a legacy (ID-only) record of `containerID`.
    public func isLegacyRecord(of containerID: String) -> Bool {
        ifName == nil && !self.containerID.isEmpty && self.containerID == containerID
    }

    /// Whether the record belongs to `owner`, directly or as a legacy record of its container
    /// (what Go's `GetByID` matches).
    public func belongs(to owner: Owner) -> Bool {
        isHeld(by: owner) || isLegacyRecord(of: owner.containerID)
    }

    /// ASCII whitespace trimmed from both ends, as Go's `strings.TrimSpace` does for these records.
    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> { ASCII.trimmingWhitespace(bytes) }
}
