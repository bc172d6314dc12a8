import Addressing

extension Allocator {
    /// One range set's share of an ADD.
    struct Request {
        var owner: Owner
        var index: Int
        /// The requested address for this set, if any.
        var address: IPAddress?
    }

    /// Matches each requested address to the first range set containing it (one per set, in
    /// request order). Addresses that fit no set fail the whole ADD before anything is reserved.
    func assign(_ requested: [IPAddress]) throws(IPAMError) -> [Int: IPAddress] {
        var assigned: [Int: IPAddress] = [:]
        var unmatched: [IPAddress] = []
        for address in requested where !assigned.values.contains(address) {
            let index = rangeSets.indices.first { assigned[$0] == nil && rangeSets[$0].contains(address) }
            if let index { assigned[index] = address } else { unmatched.append(address) }
        }
        guard unmatched.isEmpty else { throw .requestedAddressesOutsideRanges(unmatched) }
        return assigned
    }

    /// Reserves the requested address, or the next free one in round-robin order.
    func allocate(
        _ request: Request, existing: [Reservation], taken: Set<IPAddress>, in store: inout some AllocationStore
    ) throws(IPAMError) -> Allocation {
        let set = rangeSets[request.index]
        if let address = request.address {
            return try reserveRequested(address, request, in: &store)
        }
        if let held = existing.first(where: { $0.belongs(to: request.owner) && set.contains($0.address) }) {
            throw .duplicateAllocation(
                index: request.index, address: held.address, containerID: request.owner.containerID)
        }
        var candidates = RoundRobin(set, after: store.lastReserved(rangeSetIndex: request.index))
        while let (address, range) = candidates.next() {
            // Known-taken addresses are skipped without a system call; a racing writer is still
            // caught by the store's exclusive create.
            if taken.contains(address) { continue }
            if try store.reserve(address, for: request.owner) {
                return Allocation(address: address, rangeSetIndex: request.index, range: range)
            }
        }
        throw .rangeSetExhausted(index: request.index, rangeSet: set.description)
    }

    private func reserveRequested(
        _ address: IPAddress, _ request: Request, in store: inout some AllocationStore
    ) throws(IPAMError) -> Allocation {
        let set = rangeSets[request.index]
        let range = set.range(containing: address)!  // `assign` only hands out contained addresses
        guard address != range.gateway else { throw .requestedGateway(index: request.index, address: address) }
        guard try store.reserve(address, for: request.owner) else {
            throw .requestedAddressTaken(index: request.index, address: address, rangeSet: set.description)
        }
        return Allocation(address: address, rangeSetIndex: request.index, range: range)
    }

    /// Undoes the reservations of a failed ADD. Errors are swallowed: the original failure is the
    /// one to report, and a leftover reservation is still released by the runtime's DEL.
    func rollBack(_ made: [Allocation], in store: inout some AllocationStore) {
        for allocation in made {
            do { try store.release(allocation.address) } catch {}
        }
    }

    /// Releases each reservation, continuing past failures; throws the first failure at the end.
    func release(_ reservations: [Reservation], in store: inout some AllocationStore) throws(IPAMError) -> [IPAddress] {
        var released: [IPAddress] = []
        var firstError: IPAMError?
        for reservation in reservations {
            do {
                try store.release(reservation.address)
                released.append(reservation.address)
            } catch {
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
        return released
    }
}
