import GenLabNN
import GenLabTestSupport
import Testing

/// Every loss case of the PyTorch reference: value and input gradient, 1e-5 + 1e-4·|x|.
@Suite struct GoldenLossTests {
    static let lossCases = ["mse_mean", "mse_sum", "bce_mean", "bce_sum", "bce_logits_mean"]

    @Test(arguments: lossCases)
    func lossMatchesPyTorch(_ name: String) throws {
        let c = try #require(Golden.named(name))
        let input = try #require(c.input).tensor, target = try #require(c.target).tensor
        let reduction: Reduction = name.hasSuffix("sum") ? .sum : .mean
        let grad = Tensor(zeros: [0])
        let value: Float
        switch name {
        case let n where n.hasPrefix("mse"):
            let loss = MSELoss(reduction: reduction)
            value = try loss.forward(input, target)
            try loss.backward(input, target, into: grad)
        case let n where n.hasPrefix("bce_logits"):
            let loss = BCEWithLogitsLoss(reduction: reduction)
            value = try loss.forward(input, target)
            try loss.backward(input, target, into: grad)
        default:
            let loss = BCELoss(reduction: reduction)
            value = try loss.forward(input, target)
            try loss.backward(input, target, into: grad)
        }
        #expect(Golden.mismatches([value], try #require(c.output)) == [], "value")
        #expect(Golden.mismatches(grad.values, try #require(c.gradInput), shape: grad.shape) == [], "gradient")
    }

    @Test func klMatchesPyTorch() throws {
        let c = try #require(Golden.named("kl_std_normal_mean"))
        let mu = try #require(c.mu).tensor, logSigma = try #require(c.logsigma).tensor
        let kl = GaussianKL(head: .logSigma, reduction: .mean)
        let value = try kl.forward(mu: mu, scale: logSigma)
        let gradMu = Tensor(zeros: [0]), gradLogSigma = Tensor(zeros: [0])
        try kl.backward(mu: mu, scale: logSigma, gradMu: gradMu, gradScale: gradLogSigma)
        #expect(Golden.mismatches([value], try #require(c.output)) == [], "value")
        #expect(Golden.mismatches(gradMu.values, try #require(c.gradMu)) == [], "grad μ")
        #expect(Golden.mismatches(gradLogSigma.values, try #require(c.gradLogsigma)) == [], "grad log σ")
    }
}
