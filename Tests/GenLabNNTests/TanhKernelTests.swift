import CKernels
import Foundation
import Testing

/// `genlab_tanh_forward` (Cephes' tanhf, vectorised) against tanh in double precision.
@Suite struct TanhKernelTests {
    /// Within 2 ulp of the exact value over [−20, 20] in steps of 1e-3, at tiny values and at
    /// the branch point 0.625; ±1 far out; NaN stays NaN; in place as apart.
    @Test func tanhIsWithinTwoUlp() {
        var x: [Float] = stride(from: -20, through: 20, by: 1e-3).map { Float($0) }
        x += [0, 1e-30, -1e-30, 1e-8, 0.625, Float(0.625).nextDown, -0.625, 44, 100, -100, .infinity, -.infinity, .greatestFiniteMagnitude]
        var y = [Float](repeating: 0, count: x.count)
        genlab_tanh_forward(x, &y, x.count)
        var worst: Float = 0, at: Float = 0
        for (value, result) in zip(x, y) {
            let exact = Float(Foundation.tanh(Double(value)))
            let ulps = abs(result - exact) / max(exact.magnitude.ulp, Float.leastNormalMagnitude)
            if ulps > worst { (worst, at) = (ulps, value) }
        }
        #expect(worst <= 2, "\(worst) ulp at x = \(at)")
        var nan: [Float] = [.nan]
        genlab_tanh_forward(nan, &nan, 1)
        #expect(nan[0].isNaN)
        var inPlace = x
        inPlace.withUnsafeMutableBufferPointer { genlab_tanh_forward($0.baseAddress!, $0.baseAddress!, $0.count) }
        #expect(inPlace == y)
    }
}
