import CLazyLibm
import Glibc
import Testing

/// The test binary links CLazyLibm, so `ceil`, `floor`, ... below are its definitions (an executable's own symbols
/// win over libm's), exactly as in the release `bridge`.
@Suite struct LazyLibmTests {
    /// Inputs pass through here so that the compiler cannot fold the calls away.
    @inline(never) static func opaque<T>(_ value: T) -> T { value }

    /// (x, ceil(x), floor(x))
    static let cases: [(Double, Double, Double)] = [
        (0.5, 1, 0), (-0.5, -0.0, -1), (1, 1, 1), (-1.5, -1, -2), (2.5, 3, 2),
        (4503599627370495.5, 4_503_599_627_370_496, 4_503_599_627_370_495),
        (-4503599627370495.5, -4_503_599_627_370_495, -4_503_599_627_370_496),
        (9_007_199_254_740_994, 9_007_199_254_740_994, 9_007_199_254_740_994),
        (1e300, 1e300, 1e300), (-0x1p-1040, -0.0, -1), (0.9999999999999999, 1, 0)
    ]

    @Test(arguments: cases)
    func ceilAndFloorOfDoubles(x: Double, expectedCeil: Double, expectedFloor: Double) {
        let (c, f) = (ceil(Self.opaque(x)), floor(Self.opaque(x)))
        #expect(c.bitPattern == expectedCeil.bitPattern, "ceil(\(x)) = \(c)")
        #expect(f.bitPattern == expectedFloor.bitPattern, "floor(\(x)) = \(f)")
    }

    @Test func signedZerosInfinitiesAndNaN() {
        for x in [0.0, -0.0, Double.infinity, -Double.infinity] {
            #expect(ceil(Self.opaque(x)).bitPattern == x.bitPattern)
            #expect(floor(Self.opaque(x)).bitPattern == x.bitPattern)
        }
        #expect(ceil(Self.opaque(Double.nan)).isNaN)
        #expect(floorf(Self.opaque(Float.nan)).isNaN)
        #expect(ceilf(Self.opaque(Float(-0.25))).bitPattern == Float(-0.0).bitPattern)
        #expect(floorf(Self.opaque(Float(0x1p23 + 1))) == 0x1p23 + 1)
    }

    /// By definition on random bit patterns: the result is integral, at least (at most) x, and less than 1 away
    /// (written as `c - 1 < x`: integral values below 2^53 subtract exactly, while `c - x` may round up to 1).
    @Test func ceilAndFloorByDefinition() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<200_000 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            for x in [Double(bitPattern: state), Double(Int64(bitPattern: state)) / 1024] where x.isFinite {
                let (c, f) = (ceil(Self.opaque(x)), floor(Self.opaque(x)))
                #expect(c >= x && (c == x || c - 1 < x) && c == c.rounded(.towardZero), "ceil(\(x)) = \(c)")
                #expect(f <= x && (f == x || f + 1 > x) && f == f.rounded(.towardZero), "floor(\(x)) = \(f)")
            }
            let y = Float(bitPattern: UInt32(truncatingIfNeeded: state))
            if y.isFinite {
                let (c, f) = (ceilf(Self.opaque(y)), floorf(Self.opaque(y)))
                #expect(c >= y && (c == y || c - 1 < y) && c == c.rounded(.towardZero), "ceilf(\(y)) = \(c)")
                #expect(f <= y && (f == y || f + 1 > y) && f == f.rounded(.towardZero), "floorf(\(y)) = \(f)")
            }
        }
    }

    /// The other names load libm on first use and forward to it.
    @Test func forwardedFunctionsReachLibm() {
        #expect(abs(sin(Self.opaque(0.5)) - 0.479_425_538_604_203) < 1e-15)
        #expect(pow(Self.opaque(Float(2)), Self.opaque(Float(10))) == 1024)
        #expect(fma(Self.opaque(2.0), 3.0, 1.0) == 7)
        var quotient: Int32 = 0
        #expect(remquo(Self.opaque(7.0), 2.0, &quotient) == -1 && quotient == 4)
        #expect(jn(1, Self.opaque(0.0)) == 0)
        #expect(nanf("").isNaN)
    }
}
