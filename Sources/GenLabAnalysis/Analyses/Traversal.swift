import Foundation
import GenLabData
import GenLabModels
import GenLabResults
import GenLabSpec
import GenLabStore

/// `traversal`: one test image's code with one latent dimension at a time moved over
/// μ_d + t·σ_d for t in [−range, range] (σ = 1 for an autoencoder's code), a row per
/// dimension, for the first `dimensions` dimensions (001).
public struct Traversal: Analysis {
    public static let name = "traversal"
    public static let kinds = autoencoders
    public static let parameterNames = ["image", "range", "points", "dimensions"]
    let image: Int
    let range: Double
    let points: Int
    /// The most latent dimensions traversed (the first ones): a row of `points` decodes each.
    let dimensions: Int

    public init(_ parameters: Fields?) throws(SpecError) {
        image = try parameters.int("image", default: 0, min: 0)
        range = try parameters.double("range", default: 3, exclusiveMin: 0, max: 1e6)
        points = try parameters.int("points", default: 9, min: 2, max: 64)
        dimensions = try parameters.int("dimensions", default: 64, min: 1, max: 256)
    }

    public func run(on run: TrainedRun, data: AnalysisData, pictures: String) throws(RunError) -> AnalysisRecord {
        let model = try run.latentModel(for: Self.name)
        let test = try data.testImages(for: run, analysis: Self.name)
        guard image < test.count else {
            throw RunError(.analysis, "'traversal' image \(image) does not exist: the test set has \(test.count) images", path: run.path)
        }
        let (batch, labels) = data.batch(test.subset([image]))
        let posterior: Posterior
        do { posterior = try model.encode(batch, labels: labels)[0] } catch { throw run.failure(Self.name, error) }
        let mu = posterior.mu.values, sigma = posterior.logSigma.values.map { Foundation.exp(Double($0)) }
        let k = mu.count, rows = min(k, dimensions), steps = LatentGrid.steps(range, points)
        var z: [Float] = []
        for d in 0..<rows {
            for t in steps {
                var row = mu
                row[d] = Float(Double(mu[d]) + t * sigma[d])
                z += row
            }
        }
        let images = try data.decoded(z, model: model, run: run, analysis: Self.name)
        try data.picture(images, count: rows * points, columns: points, named: "traversal.png", in: pictures)
        return AnalysisRecord(name: Self.name, attributes: [
            ("definition", .text("test image \(image): z = μ with dimension d set to μ_d + t·σ_d, t in [−\(range), \(range)], a row per dimension\(rows < k ? " (the first \(rows) of \(k))" : ""); decoder in evaluation mode, pixel scale")),
            ("step", .integer(Int64(run.step))), ("image", .integer(Int64(image))), ("range", .number(range)), ("points", .integer(Int64(points)))],
            arrays: [StoredArray(name: "z", shape: [rows * points, k], floats: z),
                     StoredArray(name: "images", shape: [rows * points] + run.experiment.dataset.imageShape, floats: images)])
    }
}
