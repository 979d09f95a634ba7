import CKernels
import Foundation
import GenLabTensor
import GenLabTestSupport
import Testing

/// `genlab_bce_sum`: its logarithm (lane_math.h's, vectorised) against ln in double precision
/// on every binade of (0, 1], its sum against the terms summed in double, and PyTorch's clamps
/// and NaN.
@Suite struct LossKernelTests {
    /// −ln x (t = 1) and −ln(1 − x) (t = 0) as one-value sums, in ulp of the exact value
    /// (clamped at 100 as PyTorch's terms are).
    static func worstLogUlps(_ values: [Float]) -> (ulps: Float, at: Float) {
        Ulps.worst(values.flatMap { x in
            [(Float(1), Double(x)), (0, Double(1 - x))].map { t, argument in
                var input = x, target = t
                return (x, Float(genlab_bce_sum(&input, &target, 1)), Float(min(-Foundation.log(argument), 100)))
            }
        })
    }

    /// Within 2 ulp for a float every 4,099 bit patterns of (0, 1] (subnormals and each binade
    /// included; 2.6·10⁵ values), around 1 and ½ (the mantissa's fold at √½), and at the
    /// extremes.
    @Test func logarithmIsWithinTwoUlp() {
        var values = stride(from: UInt32(1), through: Float(1).bitPattern, by: 4099).map { Float(bitPattern: $0) }
        values += [1, Float(1).nextDown, 0.5, Float(0.5).nextUp, Float(0.5).nextDown, Float(0.5).squareRoot(),
                   Float(0.5).squareRoot().nextUp, Float.leastNonzeroMagnitude, Float.leastNormalMagnitude,
                   Float.leastNormalMagnitude.nextDown, 3.7e-44, 1e-30, 0.999]
        let (worst, at) = LossKernelTests.worstLogUlps(values)
        #expect(worst <= 2, "\(worst) ulp at x = \(at)")
    }

    /// 1,001 and 2,049 terms (a partial vector and a partial chunk of 512) against the same
    /// terms summed in double: within 10⁻⁶ of the total.
    @Test(arguments: [1001, 2049])
    func sumMatchesTheTermsInDouble(count: Int) {
        var generator = RandomGenerator(seed: UInt64(count))
        let x = Tensor(zeros: [count]), t = Tensor(zeros: [count])
        generator.fillUniform(x.buffer, low: 0, high: 1)
        generator.fillUniform(t.buffer, low: 0, high: 1)
        for i in stride(from: 0, to: count, by: 3) { t[i] = Float(i % 2) } // binary targets too
        var exact = 0.0
        for i in 0..<count {
            let xi = Double(x[i]), ti = Double(t[i])
            exact -= ti * max(Foundation.log(xi), -100) + (1 - ti) * max(Foundation.log(1 - xi), -100)
        }
        let sum = genlab_bce_sum(x.data, t.data, count)
        #expect(abs(sum - exact) <= 1e-6 * exact, "\(sum) ≠ \(exact)")
    }

    /// PyTorch's clamps: a certain wrong answer costs 100, a certain right one 0; NaN, or a
    /// probability outside [0, 1], makes the sum NaN (GenLab's NaN-loss error then names it).
    @Test func clampsAndNaN() {
        func sum(_ x: [Float], _ t: [Float]) -> Double {
            var x = x, t = t
            return genlab_bce_sum(&x, &t, x.count)
        }
        #expect(sum([0, 1, 0, 1], [1, 0, 0, 1]) == 200)
        for bad: Float in [.nan, 1.5, -0.25, .infinity] {
            #expect(sum([0.5, bad, 0.5], [1, 1, 0]).isNaN, "x = \(bad)")
        }
        #expect(sum([0.5, 0.5], [.nan, 1]).isNaN)
    }
}
