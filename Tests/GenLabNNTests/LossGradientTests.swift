import GenLabNN
import GenLabTestSupport
import Testing

/// Finite-difference gradient checks of every loss.
@Suite struct LossGradientTests {
    static func probabilities(_ shape: [Int], seed: UInt64) -> Tensor {
        let t = GradientCheck.random(shape, seed: seed)
        for i in 0..<t.count { t[i] = 0.5 + 0.4 * t[i] }
        return t
    }

    @Test(arguments: Reduction.allCases)
    func mse(_ reduction: Reduction) throws {
        let loss = MSELoss(reduction: reduction)
        let x = GradientCheck.random([3, 4], seed: 1), t = GradientCheck.random([3, 4], seed: 2)
        let g = Tensor(zeros: [0])
        try loss.backward(x, t, scale: 0.7, into: g)
        #expect(try GradientCheck.function("x", of: x, analytic: g) { 0.7 * (try loss.forward(x, t)) } == [])
    }

    @Test(arguments: Reduction.allCases)
    func bce(_ reduction: Reduction) throws {
        let loss = BCELoss(reduction: reduction)
        let x = LossGradientTests.probabilities([3, 4], seed: 3), t = LossGradientTests.probabilities([3, 4], seed: 4)
        let g = Tensor(zeros: [0])
        try loss.backward(x, t, into: g)
        #expect(try GradientCheck.function("x", of: x, analytic: g) { try loss.forward(x, t) } == [])
    }

    @Test func bceClampsTheLogAtMinus100() throws {
        let x = try Tensor(shape: [2], values: [0, 1]), t = try Tensor(shape: [2], values: [1, 0])
        #expect(try BCELoss(reduction: .sum).forward(x, t) == 200)
    }

    @Test(arguments: Reduction.allCases)
    func bceWithLogits(_ reduction: Reduction) throws {
        let loss = BCEWithLogitsLoss(reduction: reduction)
        let x = GradientCheck.random([3, 4], seed: 5), t = LossGradientTests.probabilities([3, 4], seed: 6)
        for i in 0..<x.count { x[i] *= 4 }
        let g = Tensor(zeros: [0])
        try loss.backward(x, t, into: g)
        #expect(try GradientCheck.function("x", of: x, analytic: g) { try loss.forward(x, t) } == [])
        let extreme = try Tensor(shape: [2], values: [200, -200]), target = try Tensor(shape: [2], values: [1, 0])
        #expect(try BCEWithLogitsLoss().forward(extreme, target) == 0)
    }

    @Test(arguments: Reduction.allCases)
    func gaussianLikelihoodWithLearnedSigma(_ reduction: Reduction) throws {
        let loss = GaussianNLLLoss(reduction: reduction)
        let x = GradientCheck.random([2, 5], seed: 7), t = GradientCheck.random([2, 5], seed: 8)
        let logSigma = try Tensor(shape: [1], values: [-0.3])
        let g = Tensor(zeros: [0])
        let gradLogSigma = try loss.backward(x, t, logSigmaX: logSigma[0], into: g)
        #expect(try GradientCheck.function("x", of: x, analytic: g) { try loss.forward(x, t, logSigmaX: logSigma[0]) } == [])
        let analytic = try Tensor(shape: [1], values: [gradLogSigma])
        #expect(try GradientCheck.function("log σx", of: logSigma, analytic: analytic) {
            try loss.forward(x, t, logSigmaX: logSigma[0])
        } == [])
    }

    static let klVariants: [(ScaleHead, Bool)] = [
        (.logSigma, false), (.logSigma, true), (.logVariance, false), (.logVariance, true),
    ]

    @Test(arguments: 0..<4)
    func closedFormKL(_ variant: Int) throws {
        let (head, isotropic) = LossGradientTests.klVariants[variant]
        for reduction in Reduction.allCases {
            let kl = GaussianKL(head: head, reduction: reduction)
            let mu = GradientCheck.random([3, 4], seed: 9), scale = GradientCheck.random([3, isotropic ? 1 : 4], seed: 10)
            let gMu = Tensor(zeros: [0]), gScale = Tensor(zeros: [0])
            try kl.backward(mu: mu, scale: scale, factor: 1.5, gradMu: gMu, gradScale: gScale)
            let f = { 1.5 * (try kl.forward(mu: mu, scale: scale)) }
            #expect(try GradientCheck.function("μ", of: mu, analytic: gMu, loss: f) == [])
            #expect(try GradientCheck.function("scale", of: scale, analytic: gScale, loss: f) == [])
        }
    }

    @Test(arguments: 0..<4)
    func monteCarloKL(_ variant: Int) throws {
        let (head, isotropic) = LossGradientTests.klVariants[variant]
        let kl = MonteCarloKL(head: head, reduction: .sum)
        let mu = GradientCheck.random([2, 3], seed: 11), scale = GradientCheck.random([2, isotropic ? 1 : 3], seed: 12)
        let eps = GradientCheck.random([4, 2, 3], seed: 13)
        let gMu = Tensor(zeros: [0]), gScale = Tensor(zeros: [0])
        try kl.backward(mu: mu, scale: scale, eps: eps, gradMu: gMu, gradScale: gScale)
        let f = { try kl.forward(mu: mu, scale: scale, eps: eps) }
        #expect(try GradientCheck.function("μ", of: mu, analytic: gMu, loss: f) == [])
        #expect(try GradientCheck.function("scale", of: scale, analytic: gScale, loss: f) == [])
    }

    /// With many samples the Monte-Carlo estimate approaches the closed form.
    @Test func monteCarloKLConvergesToClosedForm() throws {
        let mu = GradientCheck.random([2, 3], seed: 14), scale = GradientCheck.random([2, 3], seed: 15)
        var generator = RandomGenerator(seed: 16)
        let eps = Tensor(zeros: [20_000, 2, 3])
        generator.fillNormal(eps.buffer)
        let estimate = try MonteCarloKL(reduction: .sum).forward(mu: mu, scale: scale, eps: eps)
        let exact = try GaussianKL(reduction: .sum).forward(mu: mu, scale: scale)
        #expect(abs(estimate - exact) < 0.05 * max(1, abs(exact)))
    }
}
