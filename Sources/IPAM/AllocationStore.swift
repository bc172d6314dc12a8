public import Addressing

/// Where reservations live. The allocator only talks to this protocol, so its logic runs against
/// `InMemoryStore` in tests and against `FileStore` (Go host-local's on-disk layout) in the plugin.
///
/// Callers hold whatever lock the store needs for the duration of one operation.
public protocol AllocationStore {
    /// Every reservation, read in one pass.
    mutating func reservations() throws(IPAMError) -> [Reservation]
    /// Reserves `address` for `owner`; false when it is already taken (`O_EXCL`-style).
    mutating func reserve(_ address: IPAddress, for owner: Owner) throws(IPAMError) -> Bool
    /// Drops the reservation of `address`; a missing one is not an error.
    mutating func release(_ address: IPAddress) throws(IPAMError)
    /// The last address reserved in range set `index` (round-robin start); nil when unknown.
    func lastReserved(rangeSetIndex index: Int) -> IPAddress?
    /// Remembers the last address reserved in range set `index`.
    mutating func recordLastReserved(_ address: IPAddress, rangeSetIndex index: Int) throws(IPAMError)
}

/// A store in memory, for tests and tools (the counterpart of Go's `FakeStore`).
public struct InMemoryStore: AllocationStore, Sendable {
    /// Reservations by address.
    public var records: [IPAddress: Reservation] = [:]
    /// `last_reserved_ip.<n>` by range set index.
    public var lastReservedByIndex: [Int: IPAddress] = [:]
    /// When set, `reserve` fails with this error (to exercise rollback).
    public var failReserve: (@Sendable (IPAddress) -> IPAMError?)?

    public init(_ reservations: [Reservation] = []) {
        for reservation in reservations { records[reservation.address] = reservation }
    }

    public func reservations() -> [Reservation] { records.values.sorted { $0.address < $1.address } }

    public mutating func reserve(_ address: IPAddress, for owner: Owner) throws(IPAMError) -> Bool {
        if let error = failReserve?(address) { throw error }
        guard records[address] == nil else { return false }
        records[address] = Reservation(address: address, containerID: owner.containerID, ifName: owner.ifName)
        return true
    }

    public mutating func release(_ address: IPAddress) { records[address] = nil }

    public func lastReserved(rangeSetIndex index: Int) -> IPAddress? { lastReservedByIndex[index] }

    public mutating func recordLastReserved(_ address: IPAddress, rangeSetIndex index: Int) {
        lastReservedByIndex[index] = address
    }
}
