import GenLabTensor
import Testing

/// `Rectifier.apply` (eight lanes at a time) gives the bits of the scalar `Rectifier` on every
/// kind of value, with a bias and without, apart and in place.
@Suite struct RectifierTests {
    /// 8·5 + 3 values (whole vectors and a tail), cycling through ±0, NaN, ±∞, subnormals and
    /// ordinary values of both signs.
    static let values: [Float] = (0..<43).map { i in
        let kinds: [Float] = [0, -0.0, .nan, .infinity, -.infinity, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                              1.5, -1.5, 3e-3, -3e-3, 7e30, -7e30]
        return kinds[i % kinds.count] * (i < kinds.count ? 1 : Float(i % 5 + 1))
    }

    @Test(arguments: [Float(0), 0.01, 0.2])
    func applyGivesTheScalarBits(slope: Float) {
        let r = Rectifier(slope: slope), x = RectifierTests.values
        for bias: Float? in [nil, 0, -0.0, 0.25, -1.5] {
            let expected = x.map { value in r(bias.map { value + $0 } ?? value).bitPattern }
            var apart = [Float](repeating: 1, count: x.count)
            r.apply(x, bias: bias, into: &apart, count: x.count)
            #expect(apart.map(\.bitPattern) == expected, "slope \(slope), bias \(String(describing: bias))")
            var inPlace = x
            inPlace.withUnsafeMutableBufferPointer { r.apply($0.baseAddress!, bias: bias, into: $0.baseAddress!, count: $0.count) }
            #expect(inPlace.map(\.bitPattern) == expected, "in place: slope \(slope), bias \(String(describing: bias))")
        }
    }
}
