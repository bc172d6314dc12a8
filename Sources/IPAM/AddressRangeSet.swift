public import Addressing

/// A range set: disjoint ranges of one family. Each ADD gets exactly one address per range set.
public struct AddressRangeSet: Hashable, Sendable, CustomStringConvertible {
    /// The ranges, in configuration order (the allocation order).
    public let ranges: [AddressRange]

    /// Validates a set as Go's `RangeSet.Canonicalize` does. Errors (`.invalidRange`):
    /// `empty range set`, `mixed address families`, `subnets A and B overlap`.
    public init(_ ranges: [AddressRange]) throws(IPAMError) {
        guard let first = ranges.first else { throw .invalidRange("empty range set") }
        guard ranges.allSatisfy({ $0.family == first.family }) else { throw .invalidRange("mixed address families") }
        for (i, a) in ranges.enumerated() {
            for b in ranges[(i + 1)...] where a.overlaps(b) {
                throw .invalidRange("subnets \(a) and \(b) overlap")
            }
        }
        self.ranges = ranges
    }

    /// The family shared by every range.
    public var family: IPFamily { ranges[0].family }

    /// The range holding `address`, or nil.
    public func range(containing address: IPAddress) -> AddressRange? {
        ranges.first { $0.contains(address) }
    }

    public func contains(_ address: IPAddress) -> Bool { range(containing: address) != nil }

    /// Whether any range of one set overlaps any range of the other.
    public func overlaps(_ other: AddressRangeSet) -> Bool {
        ranges.contains { a in other.ranges.contains { a.overlaps($0) } }
    }

    /// Whether every address that could be handed out is in `taken`.
    public func isExhausted(taken: Set<IPAddress>) -> Bool {
        var capacity: UInt64 = 0
        for range in ranges {
            let (sum, overflow) = capacity.addingReportingOverflow(range.capacity)
            if overflow { return false }
            capacity = sum
        }
        let used = taken.lazy.filter { address in self.range(containing: address).map { $0.gateway != address } ?? false
        }
        return UInt64(used.count) >= capacity
    }

    /// `start-end,start-end`, as in the reference's error messages.
    public var description: String { ranges.map(\.description).joined(separator: ",") }
}

extension AddressRangeSet {
    /// Checks a whole configuration: no two range sets may overlap (`range set i overlaps with j`).
    public static func validate(_ sets: [AddressRangeSet]) throws(IPAMError) {
        for (i, a) in sets.enumerated() {
            for j in sets.indices where j > i && a.overlaps(sets[j]) {
                throw .invalidRange("range set \(i) overlaps with \(j)")
            }
        }
    }
}
