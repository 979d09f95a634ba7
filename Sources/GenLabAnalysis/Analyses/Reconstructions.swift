import GenLabData
import GenLabModels
import GenLabNN
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabTensor

/// `reconstructions`: the holdout (one test image per class, or the first N) and the first
/// `count` test images, each input above its reconstruction, decoded from z = μ or from a
/// sampled z = μ + σ·ε (ε seeded), in evaluation mode, on the pixel scale (000, 002, 003).
public struct Reconstructions: Analysis {
    public static let name = "reconstructions"
    public static let kinds = autoencoders
    public static let parameterNames = ["count", "latent", "seed"]
    let count: Int
    let sampled: Bool
    let seed: Int

    public init(_ parameters: Fields?) throws(SpecError) {
        count = try parameters.int("count", default: 8, min: 1, max: 4096)
        let latent = try parameters?["latent"]?.string(parameters!.path("latent")) ?? "mean"
        guard ["mean", "sample"].contains(latent) else {
            throw SpecError(.invalidValue, "'\(parameters!.path("latent"))' must be mean or sample, found '\(latent)'", at: parameters!["latent"]!.location)
        }
        sampled = latent == "sample"
        seed = try parameters.int("seed", default: 0, min: 0)
    }

    public func run(on run: TrainedRun, data: AnalysisData, pictures: String) throws(RunError) -> AnalysisRecord {
        let model = try run.latentModel(for: Self.name)
        let dataset = try data.dataset()
        let test = try data.testImages(for: run, analysis: Self.name)
        var generator = RandomGenerator(seed: UInt64(seed), stream: .reconstructions)
        var record = AnalysisRecord(name: Self.name, attributes: [
            ("definition", .text("inputs and their reconstructions, decoded from \(sampled ? "z = μ + σ·ε (ε ~ N(0, I), seeded)" : "z = μ") of q(z|x), evaluation mode, pixel scale [0, 1]; holdout: \(run.experiment.dataset.holdout); test: the first \(count) test images")),
            ("step", .integer(Int64(run.step))), ("count", .integer(Int64(count))), ("latent", .text(sampled ? "sample" : "mean")),
            ("seed", .integer(Int64(seed)))])
        for (part, images) in [("holdout", DatasetLoader.holdout(dataset, run.experiment.dataset.holdout)), ("test", test.prefix(count))] {
            let (inputs, labels) = data.batch(images)
            let outputs: Tensor
            do {
                let posterior = try model.encode(inputs, labels: labels)[0]
                var z = posterior.mu
                if sampled {
                    let eps = Tensor(zeros: [1] + posterior.mu.shape)
                    generator.fillNormal(eps.buffer)
                    z = Tensor(zeros: [0])
                    try Reparameterization().forward(mu: posterior.mu, scale: posterior.logSigma, eps: eps, into: z)
                }
                outputs = try model.decode(z, labels: labels, level: 0)
            } catch {
                throw run.failure(Self.name, error)
            }
            let (x, y) = (data.pixels(inputs), data.pixels(outputs))
            let shape = [images.count] + run.experiment.dataset.imageShape
            record.arrays += [StoredArray(name: "\(part)_inputs", shape: shape, floats: x),
                              StoredArray(name: "\(part)_outputs", shape: shape, floats: y),
                              StoredArray(name: "\(part)_labels", shape: [images.count], values: .int64(labels.map(Int64.init)))]
            try data.picture(x + y, count: 2 * images.count, columns: images.count, named: "reconstructions_\(part).png", in: pictures)
        }
        return record
    }
}
