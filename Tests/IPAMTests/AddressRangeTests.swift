import Addressing
import IPAM
import Testing

func ip(_ text: String) -> IPAddress { IPAddress(text)! }
func net(_ text: String) -> IPNetwork { IPNetwork(text)! }

func range(_ subnet: String, _ start: String? = nil, _ end: String? = nil, gateway: String? = nil) throws
    -> AddressRange
{
    try AddressRange(subnet: net(subnet), start: start.map(ip), end: end.map(ip), gateway: gateway.map(ip))
}

@Suite struct AddressRangeTests {
    @Test func defaultsFollowTheReference() throws {
        let v4 = try range("10.1.2.0/24")
        #expect(v4.start == ip("10.1.2.1") && v4.end == ip("10.1.2.254") && v4.gateway == ip("10.1.2.1"))
        let v6 = try range("fd00::/120")
        #expect(v6.start == ip("fd00::1") && v6.end == ip("fd00::ff") && v6.gateway == ip("fd00::1"))
        #expect(v4.description == "10.1.2.1-10.1.2.254")
        #expect(v4.capacity == 253)
        #expect(try range("fd00::/63").capacity == UInt64.max)
        #expect(try range("fd00::/64").capacity == UInt64.max - 1)
    }

    static let invalid: [(String, String?, String?, String?, String)] = [
        ("10.0.0.0/31", nil, nil, nil, "Network 10.0.0.0/31 too small to allocate from"),
        ("fd00::/127", nil, nil, nil, "Network fd00::/127 too small to allocate from"),
        (
            "10.0.0.1/24", nil, nil, nil,
            "Network has host bits set. For a subnet mask of length 24 the network address is 10.0.0.0"
        ),
        ("10.0.0.0/24", "10.0.1.1", nil, nil, "RangeStart 10.0.1.1 not in network 10.0.0.0/24"),
        ("10.0.0.0/24", nil, "10.0.1.1", nil, "RangeEnd 10.0.1.1 not in network 10.0.0.0/24"),
        ("10.0.0.0/24", "fd00::1", nil, nil, "RangeStart fd00::1 not in network 10.0.0.0/24"),
        ("10.0.0.0/24", "10.0.0.9", "10.0.0.5", nil, "RangeStart 10.0.0.9 is after RangeEnd 10.0.0.5"),
        ("10.0.0.0/24", nil, nil, "fd00::1", "gateway fd00::1 is not in the address family of network 10.0.0.0/24")
    ]

    @Test(arguments: invalid) func validationErrors(_ c: (String, String?, String?, String?, String)) {
        #expect(throws: IPAMError.invalidRange(c.4)) { try range(c.0, c.1, c.2, gateway: c.3) }
    }

    @Test func rangeSetValidation() throws {
        #expect(throws: IPAMError.invalidRange("empty range set")) { try AddressRangeSet([]) }
        #expect(throws: IPAMError.invalidRange("mixed address families")) {
            try AddressRangeSet([range("10.0.0.0/24"), range("fd00::/64")])
        }
        #expect(throws: IPAMError.invalidRange("subnets 10.0.0.1-10.0.0.254 and 10.0.0.10-10.0.0.20 overlap")) {
            try AddressRangeSet([range("10.0.0.0/24"), range("10.0.0.0/24", "10.0.0.10", "10.0.0.20")])
        }
        let a = try AddressRangeSet([range("10.0.0.0/24")])
        let b = try AddressRangeSet([range("10.0.0.0/16")])
        #expect(throws: IPAMError.invalidRange("range set 0 overlaps with 1")) { try AddressRangeSet.validate([a, b]) }
        try AddressRangeSet.validate([a, try AddressRangeSet([range("fd00::/64")])])
    }

    @Test func exhaustionCountsOnlyHandOutAddresses() throws {
        let set = try AddressRangeSet([range("10.0.0.0/29")])  // .1 gateway, .2-.6 usable
        let all = Set((2...6).map { ip("10.0.0.\($0)") })
        #expect(set.isExhausted(taken: all))
        #expect(!set.isExhausted(taken: all.subtracting([ip("10.0.0.4")])))
        #expect(!set.isExhausted(taken: all.subtracting([ip("10.0.0.4")]).union([ip("10.0.0.1"), ip("10.0.1.1")])))
    }
}

@Suite struct RoundRobinTests {
    func walk(_ set: AddressRangeSet, after last: String? = nil) -> [String] {
        Array(RoundRobin(set, after: last.map(ip)).map { $0.address.description })
    }

    @Test func startsAtRangeStartAndSkipsGateway() throws {
        let set = try AddressRangeSet([range("10.0.0.0/29")])
        #expect(walk(set) == ["10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"])
    }

    @Test func continuesAfterLastReservedAndWraps() throws {
        let set = try AddressRangeSet([range("10.0.0.0/29")])
        #expect(walk(set, after: "10.0.0.4") == ["10.0.0.5", "10.0.0.6", "10.0.0.2", "10.0.0.3", "10.0.0.4"])
        #expect(walk(set, after: "10.9.9.9") == walk(set))  // outside the set: start over
    }

    @Test func walksAcrossRanges() throws {
        let set = try AddressRangeSet([
            range("10.0.0.0/24", "10.0.0.10", "10.0.0.11"), range("10.0.1.0/24", "10.0.1.1", "10.0.1.3")
        ])
        #expect(walk(set, after: "10.0.0.11") == ["10.0.1.2", "10.0.1.3", "10.0.0.10", "10.0.0.11"])
    }

    @Test func gatewayOutsideStartIsNotSkippedTwice() throws {
        let set = try AddressRangeSet([range("10.0.0.0/29", gateway: "10.0.0.6")])
        #expect(walk(set) == ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"])
    }
}
