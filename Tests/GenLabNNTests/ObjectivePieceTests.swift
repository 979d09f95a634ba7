import Foundation
import GenLabNN
import GenLabTestSupport
import Testing

/// The pieces objectives are composed of, each against finite differences of its own forward
/// pass, plus the values PyTorch defines them by.
@Suite struct ObjectivePieceTests {
    /// Σ t ⊙ r in Float, the scalar whose gradient with respect to t is r.
    static func weighted(_ t: Tensor, _ r: Tensor) -> Float {
        var s: Float = 0
        for i in 0..<t.count { s += t[i] * r[i] }
        return s
    }

    @Test(arguments: 0..<4)
    func reparameterization(_ variant: Int) throws {
        let (head, isotropic) = LossGradientTests.klVariants[variant]
        let piece = Reparameterization(head: head)
        let mu = GradientCheck.random([3, 4], seed: 21), scale = GradientCheck.random([3, isotropic ? 1 : 4], seed: 22)
        let eps = GradientCheck.random([2, 3, 4], seed: 23), r = GradientCheck.random([6, 4], seed: 24)
        let z = Tensor(zeros: [0])
        try piece.forward(mu: mu, scale: scale, eps: eps, into: z)
        #expect(z.shape == [6, 4])
        // row s·N + i of z is sample s of item i: μ_i + σ_i·ε_si
        let sigma = Foundation.exp(head.logSigma(scale[isotropic ? 1 : 1 * 4 + 2]))
        #expect(abs(z[(1 * 3 + 1) * 4 + 2] - (mu[1 * 4 + 2] + sigma * eps[(1 * 3 + 1) * 4 + 2])) < 1e-6)
        let gMu = Tensor(zeros: mu.shape), gScale = Tensor(zeros: scale.shape)
        gMu.fill(0.25)
        try piece.backward(gradZ: r, mu: mu, scale: scale, eps: eps, addingTo: gMu, gScale)
        for i in 0..<gMu.count { gMu[i] -= 0.25 }  // backward adds to what is there
        let f = { () throws -> Float in
            try piece.forward(mu: mu, scale: scale, eps: eps, into: z)
            return ObjectivePieceTests.weighted(z, r)
        }
        #expect(try GradientCheck.function("μ", of: mu, analytic: gMu, loss: f) == [])
        #expect(try GradientCheck.function("scale", of: scale, analytic: gScale, loss: f) == [])
        #expect(throws: ShapeError.self) {
            try piece.forward(mu: mu, scale: scale, eps: Tensor(zeros: [2, 3, 5]), into: z)
        }
    }

    @Test(arguments: Likelihood.allCases)
    func reconstructionLoss(_ likelihood: Likelihood) throws {
        for reduction in Reduction.allCases {
            let output = LossGradientTests.probabilities([2, 5], seed: 25), target = LossGradientTests.probabilities([2, 5], seed: 26)
            let logSigmaX = try Tensor(shape: [1], values: [-0.4])
            let loss = { ReconstructionLoss(likelihood, reduction: reduction, logSigmaX: logSigmaX[0]) }
            let g = Tensor(zeros: [0])
            let gradLogSigmaX = try loss().backward(output, target, scale: 0.5, into: g)
            let f = { 0.5 * (try loss().forward(output, target)) }
            #expect(try GradientCheck.function("output", of: output, analytic: g, loss: f) == [])
            #expect(try GradientCheck.function("log σx", of: logSigmaX, analytic: try Tensor(shape: [1], values: [gradLogSigmaX]), loss: f) == [])
            #expect((gradLogSigmaX != 0) == (likelihood == .gaussian))
        }
        // the three likelihoods are the three losses
        let x = try Tensor(shape: [2], values: [0.25, 0.75]), t = try Tensor(shape: [2], values: [0, 1])
        let expected: Float = switch likelihood {
        case .mse: 0.0625
        case .bce: -Foundation.log(0.75)
        case .gaussian: 0.5 * Float(Foundation.log(2 * Double.pi)) + 0.5 * 0.0625
        }
        #expect(abs(try ReconstructionLoss(likelihood, reduction: .mean).forward(x, t) - expected) < 1e-6)
    }

    @Test func columnSplit() throws {
        let split = ColumnSplit(3, 2)
        let input = GradientCheck.random([4, 5], seed: 27)
        let a = Tensor(zeros: [0]), b = Tensor(zeros: [0])
        try split.forward(input, into: a, b)
        #expect(a.shape == [4, 3] && b.shape == [4, 2] && a[3] == input[5] && b[1] == input[4])
        let ra = GradientCheck.random([4, 3], seed: 28), rb = GradientCheck.random([4, 2], seed: 29)
        let g = Tensor(zeros: [0])
        try split.backward(ra, rb, into: g)
        let f = { () throws -> Float in
            try split.forward(input, into: a, b)
            return ObjectivePieceTests.weighted(a, ra) + ObjectivePieceTests.weighted(b, rb)
        }
        #expect(try GradientCheck.function("input", of: input, analytic: g, loss: f) == [])
        #expect(throws: ShapeError.self) { try split.forward(Tensor(zeros: [4, 6]), into: a, b) }
    }

    @Test func oneHotConcat() throws {
        let concat = OneHotConcat(classes: 3)
        let x = GradientCheck.random([2, 4], seed: 30), out = Tensor(zeros: [0])
        try concat.forward(x, labels: [2, 0], into: out)
        #expect(out.shape == [2, 7])
        #expect(Array(out.values[4..<7]) == [0, 0, 1] && Array(out.values[11..<14]) == [1, 0, 0] && out[8] == x[5])
        let r = GradientCheck.random([2, 7], seed: 31), g = Tensor(zeros: [0])
        try concat.backward(r, features: 4, into: g)
        let f = { () throws -> Float in
            try concat.forward(x, labels: [2, 0], into: out)
            return ObjectivePieceTests.weighted(out, r)
        }
        #expect(try GradientCheck.function("x", of: x, analytic: g, loss: f) == [])
        #expect(throws: ShapeError.self) { try concat.forward(x, labels: [3, 0], into: out) }
        #expect(throws: ShapeError.self) { try concat.forward(x, labels: [0], into: out) }
    }

    @Test func l1Penalty() throws {
        let z = GradientCheck.random([3, 4], seed: 32, margin: 0.05)
        let g = Tensor(zeros: z.shape)
        try L1Penalty().backward(z, factor: 0.3, addingTo: g)
        #expect(try GradientCheck.function("z", of: z, analytic: g) { 0.3 * L1Penalty().forward(z) } == [])
        #expect(L1Penalty().forward(try Tensor(shape: [2], values: [-1, 3])) == 2)
    }

    @Test(arguments: [Float(-1), 1])
    func wassersteinLoss(_ sign: Float) throws {
        let scores = GradientCheck.random([5, 1], seed: 33), g = Tensor(zeros: [0])
        let loss = WassersteinLoss(sign: sign)
        loss.backward(scores, into: g)
        #expect(try GradientCheck.function("scores", of: scores, analytic: g) { loss.forward(scores) } == [])
        #expect(loss.forward(try Tensor(shape: [2, 1], values: [1, 2])) == sign * 1.5)
    }
}
