import Addressing
import IPAM
import Testing

let alice = Owner(containerID: "alice", ifName: "eth0")
let bob = Owner(containerID: "bob", ifName: "eth0")

func allocator(_ subnets: String...) throws -> Allocator {
    Allocator(rangeSets: try subnets.map { try AddressRangeSet([range($0)]) })
}

@Suite struct AllocatorTests {
    @Test func roundRobinFromLastReserved() throws {
        let a = try allocator("10.0.0.0/29")
        var store = InMemoryStore()
        #expect(try a.allocate(for: alice, in: &store).map(\.address) == [ip("10.0.0.2")])
        #expect(try a.allocate(for: bob, in: &store).map(\.address) == [ip("10.0.0.3")])
        try a.release(alice, in: &store)
        // .2 is free again, but round-robin continues after the last reservation.
        let carol = Owner(containerID: "carol", ifName: "eth0")
        #expect(try a.allocate(for: carol, in: &store).map(\.address) == [ip("10.0.0.4")])
        #expect(store.lastReserved(rangeSetIndex: 0) == ip("10.0.0.4"))
    }

    @Test func wrapsAroundAndExhausts() throws {
        let a = try allocator("10.0.0.0/29")
        var store = InMemoryStore()
        store.lastReservedByIndex[0] = ip("10.0.0.6")
        let owners = (0..<5).map { Owner(containerID: "c\($0)", ifName: "eth0") }
        let got = try owners.map { try a.allocate(for: $0, in: &store)[0].address.description }
        #expect(got == ["10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"])
        #expect(throws: IPAMError.rangeSetExhausted(index: 0, rangeSet: "10.0.0.1-10.0.0.6")) {
            try a.allocate(for: alice, in: &store)
        }
        #expect(try a.exhaustedRangeSets(in: &store) == [0])
    }

    @Test func resultCarriesPrefixAndGateway() throws {
        var store = InMemoryStore()
        let allocation = try allocator("10.0.0.0/24").allocate(for: alice, in: &store)[0]
        #expect(allocation.network.description == "10.0.0.2/24")
        #expect(allocation.range.gateway == ip("10.0.0.1"))
    }

    @Test func duplicateAllocationIsRefused() throws {
        let a = try allocator("10.0.0.0/24")
        var store = InMemoryStore([Reservation(address: ip("10.0.0.7"), containerID: "alice", ifName: nil)])
        #expect(throws: IPAMError.duplicateAllocation(index: 0, address: ip("10.0.0.7"), containerID: "alice")) {
            try a.allocate(for: alice, in: &store)
        }
        // Another interface of the same container is a different attachment only for new-style records.
        store = InMemoryStore([Reservation(address: ip("10.0.0.7"), containerID: "alice", ifName: "eth0")])
        #expect(try a.allocate(for: Owner(containerID: "alice", ifName: "net1"), in: &store).count == 1)
    }

    @Test func requestedAddresses() throws {
        let a = try allocator("10.0.0.0/24", "fd00::/64")
        var store = InMemoryStore()
        let got = try a.allocate(for: alice, requesting: [ip("fd00::99"), ip("10.0.0.50")], in: &store)
        #expect(got.map(\.address) == [ip("10.0.0.50"), ip("fd00::99")])
        #expect(store.lastReserved(rangeSetIndex: 1) == ip("fd00::99"))
        #expect(
            throws: IPAMError.requestedAddressTaken(index: 0, address: ip("10.0.0.50"), rangeSet: "10.0.0.1-10.0.0.254")
        ) {
            try a.allocate(for: bob, requesting: [ip("10.0.0.50")], in: &store)
        }
        #expect(throws: IPAMError.requestedGateway(index: 0, address: ip("10.0.0.1"))) {
            try a.allocate(for: bob, requesting: [ip("10.0.0.1")], in: &store)
        }
        #expect(throws: IPAMError.requestedAddressesOutsideRanges([ip("192.168.0.1")])) {
            try a.allocate(for: bob, requesting: [ip("192.168.0.1")], in: &store)
        }
        #expect(store.records.count == 2)  // failures left nothing behind
    }

    @Test func dualStackGivesOneAddressPerSet() throws {
        var store = InMemoryStore()
        let got = try allocator("10.0.0.0/24", "fd00::/120").allocate(for: alice, in: &store)
        #expect(got.map(\.network.description) == ["10.0.0.2/24", "fd00::2/120"])
    }

    @Test func laterFailureRollsBackEarlierSets() throws {
        let a = try allocator("10.0.0.0/24", "fd00::/120")
        var store = InMemoryStore()
        store.lastReservedByIndex[0] = ip("10.0.0.20")
        store.failReserve = { $0.isIPv6 ? IPAMError.io(.noSpace, operation: "reserve", path: "x") : nil }
        #expect(throws: IPAMError.io(.noSpace, operation: "reserve", path: "x")) {
            try a.allocate(for: alice, in: &store)
        }
        #expect(store.records.isEmpty)
        #expect(store.lastReservedByIndex == [0: ip("10.0.0.20")])  // untouched
    }

    @Test func releaseFallsBackToLegacyRecords() throws {
        let a = try allocator("10.0.0.0/24")
        var store = InMemoryStore([
            Reservation(address: ip("10.0.0.2"), containerID: "alice", ifName: "eth0"),
            Reservation(address: ip("10.0.0.3"), containerID: "alice", ifName: nil),
            Reservation(address: ip("10.0.0.4"), containerID: "alice", ifName: "net1")
        ])
        #expect(try a.release(alice, in: &store) == [ip("10.0.0.2")])
        #expect(try a.release(alice, in: &store) == [ip("10.0.0.3")])  // only legacy left for eth0
        #expect(try a.release(alice, in: &store) == [])  // idempotent
        #expect(try a.addresses(of: Owner(containerID: "alice", ifName: "net1"), in: &store) == [ip("10.0.0.4")])
    }

    @Test func garbageCollection() throws {
        let a = try allocator("10.0.0.0/24")
        var store = InMemoryStore([
            Reservation(address: ip("10.0.0.2"), containerID: "alice", ifName: "eth0"),
            Reservation(address: ip("10.0.0.3"), containerID: "bob", ifName: "eth0"),
            Reservation(address: ip("10.0.0.4"), containerID: "alice", ifName: nil),  // legacy: kept by ID
            Reservation(address: ip("10.0.0.5"), containerID: "carol", ifName: nil),
            Reservation(address: ip("10.0.0.6"), containerID: "", ifName: nil),  // empty record
            Reservation(address: ip("10.0.0.7"), containerID: "alice", ifName: "net1")
        ])
        let released = try a.collectGarbage(keeping: [alice], in: &store)
        #expect(Set(released) == Set(["10.0.0.3", "10.0.0.5", "10.0.0.6", "10.0.0.7"].map(ip)))
        #expect(Set(store.records.keys) == [ip("10.0.0.2"), ip("10.0.0.4")])
        #expect(try a.collectGarbage(keeping: [], in: &store).count == 2)
    }
}
