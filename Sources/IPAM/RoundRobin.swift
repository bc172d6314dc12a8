public import Addressing

/// The order in which free addresses are tried, as Go's `RangeIter`: start right after the last
/// reserved address (or at the first range's start), walk each range to its end, wrap to the next
/// range (cyclically), skip each range's gateway, and stop when back at the first candidate.
///
/// Every address of the set is visited at most once, so a crash-looping container does not get the
/// same address again until the whole set has been used.
public struct RoundRobin: Sequence, IteratorProtocol, Sendable {
    private let rangeSet: AddressRangeSet
    private var rangeIndex = 0
    private var current: IPAddress?
    private var first: IPAddress?
    private var finished = false

    /// - Parameter last: the address in `last_reserved_ip.<n>`; ignored when outside the set.
    public init(_ rangeSet: AddressRangeSet, after last: IPAddress?) {
        self.rangeSet = rangeSet
        if let last, let index = rangeSet.ranges.firstIndex(where: { $0.contains(last) }) {
            rangeIndex = index
            current = last
        }
    }

    /// The next candidate and the range it belongs to; nil once the set has been walked.
    public mutating func next() -> (address: IPAddress, range: AddressRange)? {
        while !finished {
            guard let candidate = advance() else {
                finished = true
                return nil
            }
            let range = rangeSet.ranges[rangeIndex]
            if candidate != range.gateway { return (candidate, range) }
        }
        return nil
    }

    private mutating func advance() -> IPAddress? {
        var range = rangeSet.ranges[rangeIndex]
        guard let current else {
            self.current = range.start
            first = range.start
            return range.start
        }
        if current == range.end {
            rangeIndex = (rangeIndex + 1) % rangeSet.ranges.count
            range = rangeSet.ranges[rangeIndex]
            self.current = range.start
        } else {
            self.current = current.next
        }
        if first == nil {
            first = self.current
        } else if self.current == first {
            return nil
        }
        return self.current
    }
}
