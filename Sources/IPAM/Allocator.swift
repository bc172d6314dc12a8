public import Addressing

/// One address handed out: where it came from and what results report for it.
public struct Allocation: Hashable, Sendable {
    public var address: IPAddress
    /// Position of the range set in the configuration (`last_reserved_ip.<index>`).
    public var rangeSetIndex: Int
    /// The range the address lies in (its subnet prefix and gateway go into the result).
    public var range: AddressRange

    public init(address: IPAddress, rangeSetIndex: Int, range: AddressRange) {
        self.address = address
        self.rangeSetIndex = rangeSetIndex
        self.range = range
    }

    /// The address with its subnet's prefix length.
    public var network: IPNetwork { range.network(for: address) }
}

/// host-local's allocation policy over any `AllocationStore`: one address per range set,
/// round-robin, gateway skipped, requested addresses honoured, all-or-nothing.
///
/// Stateless apart from the configuration; every operation reads the store once.
public struct Allocator: Sendable {
    public let rangeSets: [AddressRangeSet]

    public init(rangeSets: [AddressRangeSet]) { self.rangeSets = rangeSets }

    /// Reserves one address per range set for `owner`. Either every set gets an address, or
    /// nothing is left reserved and `last_reserved_ip` files are untouched.
    public func allocate(
        for owner: Owner, requesting requested: [IPAddress] = [], in store: inout some AllocationStore
    ) throws(IPAMError) -> [Allocation] {
        let wanted = try assign(requested)
        let existing = try store.reservations()
        let taken = Set(existing.map(\.address))
        var made: [Allocation] = []
        do throws(IPAMError) {
            for index in rangeSets.indices {
                let request = Request(owner: owner, index: index, address: wanted[index])
                made.append(try allocate(request, existing: existing, taken: taken, in: &store))
            }
            for allocation in made {
                try store.recordLastReserved(allocation.address, rangeSetIndex: allocation.rangeSetIndex)
            }
        } catch {
            rollBack(made, in: &store)
            throw error
        }
        return made
    }

    /// Releases every reservation of `owner` (or, when it has none, the legacy ID-only records of
    /// its container), whatever range they are in. Returns the released addresses.
    @discardableResult
    public func release(_ owner: Owner, in store: inout some AllocationStore) throws(IPAMError) -> [IPAddress] {
        let all = try store.reservations()
        var matches = all.filter { $0.isHeld(by: owner) }
        if matches.isEmpty { matches = all.filter { $0.isLegacyRecord(of: owner.containerID) } }
        return try release(matches, in: &store)
    }

    /// The addresses reserved for `owner` (legacy records of its container included).
    public func addresses(of owner: Owner, in store: inout some AllocationStore) throws(IPAMError) -> [IPAddress] {
        try store.reservations().filter { $0.belongs(to: owner) }.map(\.address)
    }

    /// CNI GC: releases every reservation whose attachment is not in `valid`. Legacy records are
    /// kept when their container ID appears in `valid`; empty records are released.
    @discardableResult
    public func collectGarbage(keeping valid: Set<Owner>, in store: inout some AllocationStore) throws(IPAMError)
        -> [IPAddress]
    {
        let validContainers = Set(valid.map(\.containerID))
        let stale = try store.reservations().filter { reservation in
            guard let ifName = reservation.ifName else { return !validContainers.contains(reservation.containerID) }
            return !valid.contains(Owner(containerID: reservation.containerID, ifName: ifName))
        }
        return try release(stale, in: &store)
    }

    /// Indices of the range sets with no address left (an ADD would fail on them).
    public func exhaustedRangeSets(in store: inout some AllocationStore) throws(IPAMError) -> [Int] {
        let taken = Set(try store.reservations().map(\.address))
        return rangeSets.indices.filter { rangeSets[$0].isExhausted(taken: taken) }
    }
}
