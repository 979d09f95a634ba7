import Foundation
import GenLabData
import GenLabModels
import GenLabNN
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabTensor

/// `metrics`: how well an autoencoder models the first `count` test images, in the
/// normalised space it was trained on. For every autoencoder the training's reconstruction
/// term at z = μ; for a VAE or CVAE also, per image and with β = 1 whatever β training used,
/// the ELBO E_q[log p(x|z)] − KL(q(z|x) ‖ N(0, I)) and its parts, the importance-weighted
/// estimate of log p(x) with k samples of q (Burda et al. 2015), the KL per latent dimension
/// and the active units (Cov_x E_q[z_u] > threshold).
public struct Metrics: Analysis {
    public static let name = "metrics"
    public static let kinds: [ModelSpec.Kind] = [.ae, .vae, .cvae]
    public static let parameterNames = ["count", "importance_samples", "active_threshold", "seed"]
    let count: Int
    let samples: Int
    let threshold: Double
    let seed: Int

    public init(_ parameters: Fields?) throws(SpecError) {
        count = try parameters.int("count", default: 1000, min: 2, max: 100_000)
        samples = try parameters.int("importance_samples", default: 64, min: 1, max: 100_000)
        threshold = try parameters.double("active_threshold", default: 0.01, exclusiveMin: 0, max: 1e6)
        seed = try parameters.int("seed", default: 0, min: 0)
    }

    /// Images encoded and decoded together: `samples` draws of z for each.
    private var chunk: Int { max(1, 512 / samples) }

    public func run(on run: TrainedRun, data: AnalysisData, pictures: String) throws(RunError) -> AnalysisRecord {
        let model = try run.latentModel(for: Self.name)
        let test = try data.testImages(for: run, analysis: Self.name).prefix(count)
        let likelihood = PixelLikelihood(run.model)
        let probabilistic = run.experiment.model.kind != .ae
        let training = run.model.reconstructionLoss
        let k = model.latentSizes[0], n = test.count
        var generator = RandomGenerator(seed: UInt64(seed), stream: .metrics)
        var trainingLoss = 0.0, logLikelihoodAtMean: [Double] = [], mu: [Float] = []
        var expected: [Double] = [], kl: [Double] = [], importanceWeighted: [Double] = []
        var klPerDimension = [Double](repeating: 0, count: k)
        do {
            for start in stride(from: 0, to: n, by: chunk) {
                let (x, labels) = data.batch(test.subset(Array(start..<min(start + chunk, n))))
                let posterior = try model.encode(x, labels: labels)[0]
                mu += posterior.mu.values
                let decoded = try model.decode(posterior.mu, labels: labels, level: 0)
                trainingLoss += Double(try ReconstructionLoss(training.likelihood, reduction: .sum, logSigmaX: training.logSigmaX).forward(decoded, x))
                logLikelihoodAtMean += try likelihood.logLikelihood(decoded, x)
                guard probabilistic else { continue }
                // z = μ + σ·ε, `samples` draws per image, sample-major as in training
                let rows = posterior.mu.shape[0]
                let eps = Tensor(zeros: [samples, rows, k]), z = Tensor(zeros: [0])
                generator.fillNormal(eps.buffer)
                try Reparameterization().forward(mu: posterior.mu, scale: posterior.logSigma, eps: eps, into: z)
                let repeated = Array(repeatElement(labels, count: labels.isEmpty ? 0 : samples).joined())
                let logPx = try likelihood.logLikelihood(try model.decode(z, labels: repeated, level: 0), x)
                for i in 0..<rows {
                    var sum = 0.0, weights: [Double] = [], divergence = 0.0
                    for j in 0..<k {
                        let m = Double(posterior.mu[i * k + j]), s = Double(posterior.logSigma[i * k + j])
                        let d = 0.5 * (m * m + Foundation.exp(2 * s) - 1 - 2 * s)
                        klPerDimension[j] += d
                        divergence += d
                    }
                    for t in 0..<samples {
                        // log w = log p(x|z) + log N(z; 0, I) − log q(z|x); the 2π terms cancel
                        var logPrior = 0.0, logPosterior = 0.0
                        for j in 0..<k {
                            let zj = Double(z[(t * rows + i) * k + j]), e = Double(eps[(t * rows + i) * k + j])
                            logPrior -= 0.5 * zj * zj
                            logPosterior -= 0.5 * e * e + Double(posterior.logSigma[i * k + j])
                        }
                        let ll = logPx[t * rows + i]
                        sum += ll
                        weights.append(ll + logPrior - logPosterior)
                    }
                    let top = weights.max() ?? 0
                    importanceWeighted.append(top + Foundation.log(weights.reduce(0) { $0 + Foundation.exp($1 - top) } / Double(samples)))
                    expected.append(sum / Double(samples))
                    kl.append(divergence)
                }
            }
        } catch {
            throw run.failure(Self.name, error)
        }
        let size = Double(run.experiment.dataset.imageShape.reduce(1, *))
        let perElement = training.reduction == .mean
        let mean = { (values: [Double]) in values.reduce(0, +) / Double(max(values.count, 1)) }
        var definition = """
            the first \(n) test images, in the normalised space the model was trained on, evaluation mode. \
            reconstruction_loss: the training's reconstruction term (\(training.likelihood.rawValue)\(perElement ? ", per element" : ", per image")) of the decoder at z = μ; \
            log_px_given_mu: log p(x|z = μ) per image; likelihood: \(likelihood.description)
            """
        var attributes: [(String, AnalysisRecord.Value)] = [
            ("step", .integer(Int64(run.step))), ("count", .integer(Int64(n))), ("likelihood", .text(likelihood.description)),
            ("reconstruction_loss", .number(trainingLoss / (perElement ? Double(n) * size : Double(n)))),
            ("log_px_given_mu", .number(mean(logLikelihoodAtMean)))]
        var arrays = [StoredArray(name: "log_px_given_mu_per_image", shape: [n], floats: logLikelihoodAtMean.map(Float.init))]
        // active units: the variance over images of E_q[z_u] = μ_u (divided by N − 1)
        let variance = (0..<k).map { j -> Double in
            let column = (0..<n).map { Double(mu[$0 * k + j]) }, m = mean(column)
            return column.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(max(n - 1, 1))
        }
        attributes += [("active_units", .integer(Int64(variance.filter { $0 > threshold }.count))), ("active_threshold", .number(threshold))]
        arrays.append(StoredArray(name: "mean_variance_per_dimension", shape: [k], floats: variance.map(Float.init)))
        definition += "; active_units: latent dimensions u with Cov_x(E_q[z_u]) = var over the images of μ_u (N − 1) > \(threshold)"
        if probabilistic {
            let elbo = zip(expected, kl).map { $0 - $1 }
            attributes += [("elbo", .number(mean(elbo))), ("expected_log_likelihood", .number(mean(expected))), ("kl", .number(mean(kl))),
                           ("log_px_iw", .number(mean(importanceWeighted))), ("importance_samples", .integer(Int64(samples))),
                           ("seed", .integer(Int64(seed)))]
            arrays += [StoredArray(name: "elbo_per_image", shape: [n], floats: elbo.map(Float.init)),
                       StoredArray(name: "log_px_iw_per_image", shape: [n], floats: importanceWeighted.map(Float.init)),
                       StoredArray(name: "kl_per_dimension", shape: [k], floats: klPerDimension.map { Float($0 / Double(n)) })]
            definition += """
                ; per image, averaged over the images, β = 1: elbo = expected_log_likelihood − kl, \
                expected_log_likelihood: E_q[log p(x|z)] over \(samples) draws z = μ + σ·ε (seeded), \
                kl: KL(q(z|x) ‖ N(0, I)) in closed form (kl_per_dimension: per latent dimension); \
                log_px_iw: log (1/k) Σ p(x|z_i) p(z_i) / q(z_i|x) over the same k = \(samples) draws (Burda et al. 2015), a lower bound on log p(x) that tightens as k grows
                """
        }
        return AnalysisRecord(name: Self.name, attributes: [("definition", .text(definition))] + attributes, arrays: arrays)
    }
}
