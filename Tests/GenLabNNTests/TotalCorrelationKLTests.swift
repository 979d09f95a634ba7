import Foundation
import GenLabNN
import GenLabTensor
import GenLabTestSupport
import Testing

/// β-TCVAE's KL decomposition against Chen et al.'s code transcribed into PyTorch (float64;
/// `Fixtures/tcvae-reference.json` from `generate_tcvae_reference.py`): both estimators, every
/// reduction, a log-variance head, an isotropic posterior and a batch of two images (where
/// Chen et al.'s stratified weights overwrite a diagonal entry).
@Suite struct TotalCorrelationKLTests {
    static let cases: [[String: Any]] = {
        let url = Repository.root.appendingPathComponent("Tests/Fixtures/tcvae-reference.json")
        let json = (try? JSONSerialization.jsonObject(with: Data(contentsOf: url))) as? [String: Any]
        return json?["cases"] as? [[String: Any]] ?? []
    }()

    static func tensor(_ value: Any?, _ shape: [Int]) throws -> Tensor {
        try Tensor(shape: shape, values: (value as? [NSNumber] ?? []).map(\.floatValue))
    }

    /// The three terms within 1e-4 (relative, float32 inputs against float64) and the
    /// gradients of MI + β·TC + dimension-wise KL for μ and the scale head within 1e-4.
    @Test func termsAndGradientsMatchChenEtAl() throws {
        #expect(TotalCorrelationKLTests.cases.count == 5)
        for c in TotalCorrelationKLTests.cases {
            let name = c["name"] as? String ?? "?"
            let b = c["batch"] as? Int ?? 0, k = c["latent"] as? Int ?? 0, isotropic = c["isotropic"] as? Bool ?? false
            let mu = try TotalCorrelationKLTests.tensor(c["mu"], [b, k])
            let scale = try TotalCorrelationKLTests.tensor(c["scale"], [b, isotropic ? 1 : k])
            let eps = try TotalCorrelationKLTests.tensor(c["eps"], [1, b, k])
            let kl = TotalCorrelationKL(weight: (c["weight"] as? NSNumber)?.floatValue ?? 0,
                                        estimator: try #require(TotalCorrelationKL.Estimator(rawValue: c["estimator"] as? String ?? "")),
                                        datasetSize: c["dataset_size"] as? Int ?? 0,
                                        head: try #require(ScaleHead(rawValue: c["head"] as? String ?? "")),
                                        reduction: try #require(Reduction(rawValue: c["reduction"] as? String ?? "")))
            let terms = try kl.forward(mu: mu, scale: scale, eps: eps)
            let close = { (x: Float, key: String) in abs(Double(x) - ((c[key] as? NSNumber)?.doubleValue ?? .nan)) <= 1e-4 * max(1, abs((c[key] as? NSNumber)?.doubleValue ?? 0)) }
            #expect(close(terms.mutualInformation, "mutual_information"), "\(name): MI \(terms.mutualInformation)")
            #expect(close(terms.totalCorrelation, "total_correlation"), "\(name): TC \(terms.totalCorrelation)")
            #expect(close(terms.dimensionKL, "dimension_kl"), "\(name): dimension-wise KL \(terms.dimensionKL)")
            let gradMu = Tensor(zeros: [0]), gradScale = Tensor(zeros: [0])
            try kl.backward(mu: mu, scale: scale, eps: eps, gradMu: gradMu, gradScale: gradScale)
            for (got, key) in [(gradMu, "grad_mu"), (gradScale, "grad_scale")] {
                let expected = (c[key] as? [NSNumber] ?? []).map(\.doubleValue)
                let bad = zip(got.values, expected).filter { abs(Double($0) - $1) > 1e-4 * max(1, abs($1)) }
                #expect(expected.count == got.count && bad.isEmpty, "\(name): \(key) \(got.values) against \(expected)")
            }
        }
    }

    /// With weight 1 the objective is the Monte-Carlo KL of the same ε, and so are its gradients.
    @Test func weightOneIsTheMonteCarloKL() throws {
        var generator = RandomGenerator(seed: 3)
        let mu = Tensor(zeros: [5, 3]), scale = Tensor(zeros: [5, 3]), eps = Tensor(zeros: [1, 5, 3])
        generator.fillNormal(mu.buffer)
        generator.fillNormal(scale.buffer)
        generator.fillNormal(eps.buffer)
        for estimator in TotalCorrelationKL.Estimator.allCases {
            let tc = TotalCorrelationKL(weight: 1, estimator: estimator, datasetSize: 1000, reduction: .batchmean)
            let monteCarlo = MonteCarloKL(reduction: .batchmean)
            #expect(abs(try tc.forward(mu: mu, scale: scale, eps: eps).kl - (try monteCarlo.forward(mu: mu, scale: scale, eps: eps))) < 1e-4)
            let (a, b, c, d) = (Tensor(zeros: [0]), Tensor(zeros: [0]), Tensor(zeros: [0]), Tensor(zeros: [0]))
            try tc.backward(mu: mu, scale: scale, eps: eps, gradMu: a, gradScale: b)
            try monteCarlo.backward(mu: mu, scale: scale, eps: eps, gradMu: c, gradScale: d)
            #expect(zip(a.values + b.values, c.values + d.values).allSatisfy { abs($0 - $1) < 1e-5 })
        }
    }
}
