import GenLabData
import GenLabModels
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabTensor

/// `pca_baseline` (003): PCA with as many components as the autoencoder has latent
/// dimensions, fitted on the training images (the notebook's `pca_encoder_decoder`: centre,
/// project on the leading K eigenvectors of the pixel covariance, project back, add the mean),
/// against the autoencoder (decoded from z = μ) on the first `count` test images: the mean
/// squared error per element of each, side by side, in the normalised space.
public struct PCABaseline: Analysis {
    public static let name = "pca_baseline"
    public static let kinds = autoencoders
    public static let costly = true
    public static let parameterNames = ["count", "show"]
    let count: Int
    let show: Int

    public init(_ parameters: Fields?) throws(SpecError) {
        count = try parameters.int("count", default: 10_000, min: 1, max: 1_000_000)
        show = try parameters.int("show", default: 7, min: 1, max: 256)
    }

    public func run(on run: TrainedRun, data: AnalysisData, pictures: String) throws(RunError) -> AnalysisRecord {
        let model = try run.latentModel(for: Self.name)
        let train = try data.dataset().train
        let test = try data.testImages(for: run, analysis: Self.name).prefix(count)
        let k = model.latentSizes[0], d = run.experiment.dataset.imageShape.reduce(1, *)
        guard train.count > 1, k <= d else {
            throw RunError(.analysis, "'\(Self.name)' needs at least 2 training images and at most \(d) components (the latent has \(k))", path: run.path)
        }
        let pca = PrincipalComponents(count: train.count, dimension: d, leading: k) { rows in
            data.batch(train.subset(Array(rows))).images.values
        }
        var modelSquares = 0.0, pcaSquares = 0.0, shown: (x: [Float], model: [Float], pca: [Float]) = ([], [], [])
        for start in stride(from: 0, to: test.count, by: 512) {
            let (x, labels) = data.batch(test.subset(Array(start..<min(start + 512, test.count))))
            let decoded: Tensor
            do { decoded = try model.decode(try model.encode(x, labels: labels)[0].mu, labels: labels, level: 0) } catch { throw run.failure(Self.name, error) }
            let values = x.values
            let projected = pca.reconstruct(values)
            let fromModel = decoded.values
            for i in 0..<values.count {
                modelSquares += Double(fromModel[i] - values[i]) * Double(fromModel[i] - values[i])
                pcaSquares += Double(projected[i] - values[i]) * Double(projected[i] - values[i])
            }
            let visible = max(0, min(show - start, x.shape[0])) * d
            shown.x += values.prefix(visible)
            shown.model += fromModel.prefix(visible)
            shown.pca += projected.prefix(visible)
        }
        let n = shown.x.count / d, total = Double(test.count * d)
        let rows: Tensor
        do { rows = try Tensor(shape: [3 * n] + run.experiment.dataset.imageShape, values: shown.x + shown.model + shown.pca) } catch { throw run.failure(Self.name, error) }
        try data.picture(data.pixels(rows), count: 3 * n, columns: n, named: "pca_baseline.png", in: pictures)
        let variance = pca.explainedVariance.reduce(0, +)
        return AnalysisRecord(name: Self.name, attributes: [
            ("definition", .text("""
                PCA with K = \(k) components (the latent size) of the \(train.count) training images (covariance / (N − 1), leading \
                eigenvectors by subspace iteration) against the autoencoder decoding z = μ, on the first \(test.count) test images: \
                mse_model and mse_pca, the mean squared error per element in the normalised space; explained_variance: the sum of \
                the K leading eigenvalues; picture: test images, the autoencoder's reconstructions, PCA's (rows)
                """)),
            ("step", .integer(Int64(run.step))), ("components", .integer(Int64(k))), ("count", .integer(Int64(test.count))),
            ("mse_model", .number(modelSquares / total)), ("mse_pca", .number(pcaSquares / total)), ("explained_variance", .number(variance))],
            arrays: [StoredArray(name: "pca_mean", shape: run.experiment.dataset.imageShape, floats: pca.mean.map(Float.init)),
                     StoredArray(name: "pca_components", shape: [k] + run.experiment.dataset.imageShape, floats: pca.components.flatMap { $0.map(Float.init) }),
                     StoredArray(name: "pca_explained_variance", shape: [k], floats: pca.explainedVariance.map(Float.init))])
    }
}
