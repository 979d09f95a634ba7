import CKernels
import Foundation
import GenLabTestSupport
import Testing

/// The vectorised activations without a derivative test of their own: `genlab_tanh_forward`
/// (Cephes' tanhf) and `genlab_sigmoid_forward` (1 / (1 + e^{−x}) on lane_math.h's eˣ) against
/// their formulas in double precision.
@Suite struct ActivationKernelTests {
    /// The largest distance of `y` from `exact` at `x`, in ulp (`Ulps.worst`).
    static func worstUlps(_ x: [Float], _ y: [Float], exact: (Double) -> Double) -> (ulps: Float, at: Float) {
        Ulps.worst(zip(x, y).map { ($0, $1, Float(exact(Double($0)))) })
    }

    /// Within 2 ulp of the exact value over [−20, 20] in steps of 1e-3, at tiny values and at
    /// the branch point 0.625; ±1 far out; NaN stays NaN; in place as apart.
    @Test func tanhIsWithinTwoUlp() {
        var x: [Float] = stride(from: -20, through: 20, by: 1e-3).map { Float($0) }
        x += [0, 1e-30, -1e-30, 1e-8, 0.625, Float(0.625).nextDown, -0.625, 44, 100, -100, .infinity, -.infinity, .greatestFiniteMagnitude]
        var y = [Float](repeating: 0, count: x.count)
        genlab_tanh_forward(x, &y, x.count)
        let (worst, at) = ActivationKernelTests.worstUlps(x, y) { Foundation.tanh($0) }
        #expect(worst <= 2, "\(worst) ulp at x = \(at)")
        var nan: [Float] = [.nan]
        genlab_tanh_forward(nan, &nan, 1)
        #expect(nan[0].isNaN)
        var inPlace = x
        inPlace.withUnsafeMutableBufferPointer { genlab_tanh_forward($0.baseAddress!, $0.baseAddress!, $0.count) }
        #expect(inPlace == y)
    }

    /// Within 3 ulp of 1 / (1 + e^{−x}) over [−88.7, 20] in steps of 1e-3 (down to values of
    /// 3·10⁻³⁹, where the smallest normal's ulp bounds the error) and at tiny values; 0 below
    /// −88.7 and 1 far above, as PyTorch's formula gives in float; NaN stays NaN; in place as apart.
    @Test func sigmoidIsWithinThreeUlp() {
        var x: [Float] = stride(from: -88.7, through: 20, by: 1e-3).map { Float($0) }
        x += [0, 1e-30, -1e-30, 1e-8, 30, 88.7, 100, .infinity, .greatestFiniteMagnitude]
        var y = [Float](repeating: 0, count: x.count)
        genlab_sigmoid_forward(x, &y, x.count)
        let (worst, at) = ActivationKernelTests.worstUlps(x, y) { 1 / (1 + Foundation.exp(-$0)) }
        #expect(worst <= 3, "\(worst) ulp at x = \(at)")
        var far: [Float] = [Float(-88.7).nextDown, -100, -.infinity, -.greatestFiniteMagnitude, .nan]
        genlab_sigmoid_forward(far, &far, far.count)
        #expect(far.prefix(4).allSatisfy { $0 == 0 } && far[4].isNaN, "\(far)")
        var inPlace = x
        inPlace.withUnsafeMutableBufferPointer { genlab_sigmoid_forward($0.baseAddress!, $0.baseAddress!, $0.count) }
        #expect(inPlace == y)
    }
}
