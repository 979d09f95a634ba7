import Foundation
import GenLabNN
import GenLabTensor
import Testing

/// The optimizers' vectorised C loops give the bits of PyTorch's single-tensor formulas
/// evaluated one element at a time, in their order and without fused multiply-adds (Swift
/// does not contract), for every variant of each loop: so a step rounds alike on every CPU
/// and a run resumed on another machine continues with the same bits.
@Suite struct OptimizerRoundingTests {
    /// A parameter and three gradients of 1,001 values (not a multiple of any vector width),
    /// spanning several binades so that the slots' sums round differently.
    struct Values {
        var p: [Float], grads: [[Float]]
        init(seed: UInt64) {
            var generator = RandomGenerator(seed: seed)
            func normal(_ scale: Float) -> [Float] {
                let t = Tensor(zeros: [1001])
                generator.fillNormal(t.buffer)
                let binades: [Float] = (0..<t.count).map { Float(1 + $0 % 7) * scale }
                return zip(t.values, binades).map { $0 * $1 }
            }
            p = normal(1)
            grads = (0..<3).map { _ in normal(0.01) }
        }
    }

    /// Three steps of `optimizer` over a parameter of `values`, its bits after each.
    static func steps(_ values: Values, _ make: ([NamedParameter]) -> Optimizer) -> [[UInt32]] {
        let parameter = Parameter(shape: [values.p.count])
        for (i, v) in values.p.enumerated() { parameter.value[i] = v }
        let optimizer = make([("w", parameter)])
        return values.grads.map { grad in
            for (i, g) in grad.enumerated() { parameter.grad[i] = g }
            optimizer.step()
            return parameter.value.values.map(\.bitPattern)
        }
    }

    @Test(arguments: [(Float(0.9), Float(0)), (0.9, 1e-2), (0.5, 0), (0.0, 1e-2), (0.3, 0)])
    func adamRoundsAsItsFormula(beta1: Float, weightDecay: Float) {
        let values = Values(seed: 21)
        let (lr, beta2, eps): (Float, Float, Float) = (1e-3, 0.999, 1e-8)
        let actual = OptimizerRoundingTests.steps(values) {
            Adam($0, lr: lr, betas: (beta1, beta2), eps: eps, weightDecay: weightDecay)
        }
        var p = values.p, m = [Float](repeating: 0, count: p.count), v = m, expected: [[UInt32]] = []
        let weight = 1 - beta1, oneMinusWeight = 1 - weight, oneMinusBeta2 = 1 - beta2
        for (step, grad) in values.grads.enumerated() {
            let t = Double(step + 1)
            let stepSize = -Float(Double(lr) / (1 - pow(Double(beta1), t)))
            let bc2 = Float((1 - pow(Double(beta2), t)).squareRoot())
            for i in p.indices {
                let g = weightDecay == 0 ? grad[i] : grad[i] + p[i] * weightDecay
                m[i] = weight < 0.5 ? m[i] + weight * (g - m[i]) : g - (g - m[i]) * oneMinusWeight
                v[i] = v[i] * beta2 + oneMinusBeta2 * g * g
                p[i] = p[i] + stepSize * (m[i] / (v[i].squareRoot() / bc2 + eps))
            }
            expected.append(p.map(\.bitPattern))
        }
        #expect(actual == expected)
    }

    @Test(arguments: [Float(0), 1e-2])
    func rmspropRoundsAsItsFormula(weightDecay: Float) {
        let values = Values(seed: 22)
        let (lr, alpha, eps): (Float, Float, Float) = (5e-5, 0.99, 1e-8)
        let actual = OptimizerRoundingTests.steps(values) {
            RMSprop($0, lr: lr, alpha: alpha, eps: eps, weightDecay: weightDecay)
        }
        var p = values.p, s = [Float](repeating: 0, count: p.count), expected: [[UInt32]] = []
        for grad in values.grads {
            for i in p.indices {
                let g = weightDecay == 0 ? grad[i] : grad[i] + p[i] * weightDecay
                s[i] = s[i] * alpha + (1 - alpha) * g * g
                p[i] = p[i] + -lr * (g / (s[i].squareRoot() + eps))
            }
            expected.append(p.map(\.bitPattern))
        }
        #expect(actual == expected)
    }

    @Test(arguments: [(Float(0), Float(0)), (0, 1e-2), (0.9, 0), (0.9, 1e-2)])
    func sgdRoundsAsItsFormula(momentum: Float, weightDecay: Float) {
        let values = Values(seed: 23)
        let lr: Float = 0.1
        let actual = OptimizerRoundingTests.steps(values) {
            SGD($0, lr: lr, momentum: momentum, weightDecay: weightDecay)
        }
        var p = values.p, b = [Float](repeating: 0, count: p.count), expected: [[UInt32]] = []
        for (step, grad) in values.grads.enumerated() {
            for i in p.indices {
                let g = weightDecay == 0 ? grad[i] : grad[i] + p[i] * weightDecay
                var d = g
                if momentum != 0 {
                    b[i] = step == 0 ? g : b[i] * momentum + g
                    d = b[i]
                }
                p[i] = p[i] + -lr * d
            }
            expected.append(p.map(\.bitPattern))
        }
        #expect(actual == expected)
    }
}
