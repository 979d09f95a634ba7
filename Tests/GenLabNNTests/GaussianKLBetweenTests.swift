import GenLabNN
import GenLabTestSupport
import Testing

/// The KL between two Gaussians: finite differences for all four inputs, zero when the two
/// agree, and the closed form against N(0, 1) when the prior is standard.
@Suite struct GaussianKLBetweenTests {
    @Test(arguments: Reduction.allCases)
    func gradientsMatchFiniteDifferences(_ reduction: Reduction) throws {
        let kl = GaussianKLBetween(reduction: reduction)
        let muQ = GradientCheck.random([3, 4], seed: 1), sQ = GradientCheck.random([3, 4], seed: 2)
        let muP = GradientCheck.random([3, 4], seed: 3), sP = GradientCheck.random([3, 4], seed: 4)
        let g = (0..<4).map { _ in Tensor(zeros: [0]) }
        try kl.backward(muQ: muQ, logSigmaQ: sQ, muP: muP, logSigmaP: sP, factor: 0.5,
                        gradMuQ: g[0], gradLogSigmaQ: g[1], gradMuP: g[2], gradLogSigmaP: g[3])
        let f = { 0.5 * (try kl.forward(muQ: muQ, logSigmaQ: sQ, muP: muP, logSigmaP: sP)) }
        for (name, tensor, grad) in [("μq", muQ, g[0]), ("log σq", sQ, g[1]), ("μp", muP, g[2]), ("log σp", sP, g[3])] {
            #expect(try GradientCheck.function(name, of: tensor, analytic: grad, loss: f) == [])
        }
    }

    @Test func agreesWithTheStandardNormalCase() throws {
        let mu = GradientCheck.random([2, 3], seed: 5), s = GradientCheck.random([2, 3], seed: 6)
        let zero = Tensor(zeros: [2, 3])
        let between = try GaussianKLBetween(reduction: .sum).forward(muQ: mu, logSigmaQ: s, muP: zero, logSigmaP: zero)
        let standard = try GaussianKL(reduction: .sum).forward(mu: mu, scale: s)
        #expect(abs(between - standard) < 1e-5)
        #expect(try GaussianKLBetween().forward(muQ: mu, logSigmaQ: s, muP: mu, logSigmaP: s) == 0)
    }
}
