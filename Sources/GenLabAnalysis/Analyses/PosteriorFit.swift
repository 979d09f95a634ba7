import Foundation
import GenLabData
import GenLabModels
import GenLabNN
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabTensor

/// `posterior_fit` (003, "see the ELBO in action"): q(z) = N(μ, σ²·I) for one test image
/// fitted by ELBO ascent with the decoder frozen — φ = (μ, log σ) from 0, Adam, each step's
/// ELBO estimated with `samples` draws, E_q[log p(x|z)] − KL(q ‖ N(0, I)) both by Monte Carlo
/// as the notebook writes them — then compared with what the encoder gives for the same image
/// (its μ and σ; an autoencoder's code h with σ = 0). The likelihood is the run's (`mse` read as
/// a Gaussian with σx = `sigma_x`, 0.5 as in the notebook, unless given).
public struct PosteriorFit: Analysis {
    public static let name = "posterior_fit"
    public static let kinds = autoencoders
    public static let costly = true
    public static let parameterNames = ["image", "steps", "lr", "samples", "sigma_x", "seed"]
    let image: Int
    let search: LatentSearch
    let samples: Int
    let sigmaX: Double?
    let seed: Int
    /// Draws of z for the ELBO estimates of the fitted and the encoder's q.
    static let evaluationSamples = 1000

    public init(_ parameters: Fields?) throws(SpecError) {
        image = try parameters.int("image", default: 0, min: 0)
        search = try LatentSearch(parameters, steps: 4000, lr: 1e-3)
        samples = try parameters.int("samples", default: 16, min: 1, max: 4096)
        sigmaX = parameters?["sigma_x"] == nil ? nil : try parameters.double("sigma_x", default: 0.5, exclusiveMin: 0, max: 1e6)
        seed = try parameters.int("seed", default: 0, min: 0)
    }

    public func run(on run: TrainedRun, data: AnalysisData, pictures: String) throws(RunError) -> AnalysisRecord {
        let model = try run.latentModel(for: Self.name)
        let test = try data.testImages(for: run, analysis: Self.name)
        guard image < test.count else {
            throw RunError(.analysis, "'\(Self.name)' image \(image) does not exist: the test set has \(test.count) images", path: run.path)
        }
        let (x, labels) = data.batch(test.subset([image]))
        let likelihood = sigmaX.map { PixelLikelihood(sigmaX: $0) }
            ?? (run.model.reconstructionLoss.likelihood == .mse ? PixelLikelihood(sigmaX: 0.5) : PixelLikelihood(run.model))
        let objective = MonteCarloELBO(model: model, likelihood: likelihood, x: x, label: model.classes > 0 ? labels[0] : nil)
        let k = model.latentSizes[0]
        let mu = Parameter(shape: [1, k]), logSigma = Parameter(shape: [1, 1])
        var generator = RandomGenerator(seed: UInt64(seed), stream: .posteriorFit)
        let trace: [Float], fitted: Double, encoder: Posterior, fromEncoder: Double?, pixels: [Float]
        do {
            trace = try search.minimise([("mu", mu), ("log_sigma", logSigma)]) { () throws(ShapeError) -> Float in
                -Float(try objective.value(mu: mu, logSigma: logSigma, draws: samples, generator: &generator, gradients: true))
            }
            var evaluation = RandomGenerator(seed: UInt64(seed), stream: .posteriorEvaluation)
            fitted = try objective.value(mu: mu, logSigma: logSigma, draws: Self.evaluationSamples, generator: &evaluation, gradients: false)
            encoder = try model.encode(x, labels: labels)[0]
            let encoderMu = Parameter(shape: [1, k]), encoderLogSigma = Parameter(shape: [1, k])
            encoderMu.value.copy(from: encoder.mu)
            encoderLogSigma.value.copy(from: encoder.logSigma)
            evaluation = RandomGenerator(seed: UInt64(seed), stream: .posteriorEvaluation)
            fromEncoder = run.experiment.model.kind == .ae ? nil
                : try objective.value(mu: encoderMu, logSigma: encoderLogSigma, draws: Self.evaluationSamples, generator: &evaluation, gradients: false)
            // the image, the encoder's reconstruction, five draws of the fitted q
            let eps = Tensor(zeros: [5, 1, k]), z = Tensor(zeros: [0])
            generator.fillNormal(eps.buffer)
            try Reparameterization().forward(mu: mu.value, scale: logSigma.value, eps: eps, into: z)
            let shown = [Int32](repeating: labels[0], count: model.classes > 0 ? 1 : 0)
            pixels = data.pixels(x) + data.pixels(try model.decode(encoder.mu, labels: shown, level: 0))
                + data.pixels(try model.decode(z, labels: [Int32](repeating: labels[0], count: model.classes > 0 ? 5 : 0), level: 0))
        } catch {
            throw run.failure(Self.name, error)
        }
        try data.picture(pixels, count: 7, columns: 7, named: "posterior_fit.png", in: pictures)
        let sigma = Foundation.exp(Double(logSigma.value[0]))
        let distance = zip(mu.value.values, encoder.mu.values).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }.squareRoot()
        var attributes: [(String, AnalysisRecord.Value)] = [
            ("definition", .text("""
                test image \(image): q(z) = N(μ, σ²·I) fitted by Adam (lr \(search.lr), \(search.steps) steps, from μ = 0, σ = 1) on −ELBO \
                with the decoder frozen, ELBO = E_q[log p(x|z)] − KL(q ‖ N(0, I)), both by Monte Carlo over \(samples) draws per step \
                (elbo_trace: the estimate at each step before its update); elbo_fitted and elbo_encoder: estimates over \
                \(Self.evaluationSamples) draws of the fitted q and of the encoder's q(z|x) (diagonal σ; none for an autoencoder, whose code h \
                has σ = 0); distance: ‖μ_fitted − μ_encoder‖; likelihood: \(likelihood.description); normalised space; \
                picture: the image, the encoder's reconstruction (z = μ), five draws of the fitted q
                """)),
            ("step", .integer(Int64(run.step))), ("image", .integer(Int64(image))), ("steps", .integer(Int64(search.steps))),
            ("lr", .number(search.lr)), ("samples", .integer(Int64(samples))), ("seed", .integer(Int64(seed))),
            ("likelihood", .text(likelihood.description)),
            ("elbo_first", .number(-Double(trace[0]))), ("elbo_fitted", .number(fitted)), ("sigma_fitted", .number(sigma)),
            ("distance", .number(distance))]
        if let fromEncoder { attributes.append(("elbo_encoder", .number(fromEncoder))) }
        return AnalysisRecord(name: Self.name, attributes: attributes, arrays: [
            StoredArray(name: "elbo_trace", shape: [trace.count], floats: trace.map { -$0 }),
            StoredArray(name: "mu_fitted", shape: [k], floats: mu.value.values),
            StoredArray(name: "mu_encoder", shape: [k], floats: encoder.mu.values),
            StoredArray(name: "sigma_encoder", shape: [k], floats: encoder.logSigma.values.map { run.experiment.model.kind == .ae ? 0 : Foundation.exp($0) }),
            StoredArray(name: "images", shape: [7] + run.experiment.dataset.imageShape, floats: pixels)])
    }
}
