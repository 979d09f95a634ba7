import GenLabData
import GenLabModels
import GenLabResults
import GenLabSpec
import GenLabStore

/// `latent_scatter`: μ of q(z|x) of the first `count` test images, plotted on the first two
/// latent dimensions and on the first two principal components, coloured by label, the
/// holdout marked (000); the PCA (mean, components, explained variance) stored.
public struct LatentScatter: Analysis {
    public static let name = "latent_scatter"
    public static let kinds = autoencoders
    public static let parameterNames = ["count"]
    let count: Int

    public init(_ parameters: Fields?) throws(SpecError) {
        count = try parameters.int("count", default: 2000, min: 2, max: 100_000)
    }

    public func run(on run: TrainedRun, data: AnalysisData, pictures: String) throws(RunError) -> AnalysisRecord {
        let model = try run.latentModel(for: Self.name)
        let dataset = try data.dataset()
        let test = try data.testImages(for: run, analysis: Self.name).prefix(count)
        let (mu, k) = try data.means(test, model: model, run: run, analysis: Self.name)
        let holdout = DatasetLoader.holdout(dataset, run.experiment.dataset.holdout)
        let (held, _) = try data.means(holdout, model: model, run: run, analysis: Self.name)
        // all k components up to 256 latent dimensions, else the leading 16
        let pca = PrincipalComponents.of(rows: mu, dimension: k, leading: 16)
        let kept = pca.components.count
        let all = mu + held, n = test.count + holdout.count
        let projected = pca.project(all, count: 2)
        let classes = test.labels + holdout.labels
        let marked = [Bool](repeating: false, count: test.count) + [Bool](repeating: true, count: holdout.count)
        let second = { (values: [Float], width: Int, column: Int) in (0..<n).map { width > column ? values[$0 * width + column] : 0 } }
        let panels = [ScatterPicture.Panel(x: second(all, k, 0), y: second(all, k, 1), classes: classes, marked: marked),
                      ScatterPicture.Panel(x: second(projected, 2, 0), y: second(projected, 2, 1), classes: classes, marked: marked)]
        let path = "\(pictures)/latent_scatter.png"
        do { try ScatterPicture.render(panels).writePNG(to: path) } catch { throw RunError(DataError(error.reason, error.message, path: path)) }
        return AnalysisRecord(name: Self.name, attributes: [
            ("definition", .text("μ of q(z|x) of the first \(count) test images (evaluation mode); left: latent dimensions 0 and 1, right: principal components 1 and 2 of those μ (covariance / (N − 1)\(kept < k ? "; the leading \(kept) of \(k) by subspace iteration" : "")); holdout marked")),
            ("step", .integer(Int64(run.step))), ("count", .integer(Int64(test.count)))],
            arrays: [StoredArray(name: "mu", shape: [test.count, k], floats: mu),
                     StoredArray(name: "labels", shape: [test.count], values: .int64(test.labels.map(Int64.init))),
                     StoredArray(name: "holdout_mu", shape: [holdout.count, k], floats: held),
                     StoredArray(name: "projected", shape: [n, 2], floats: projected),
                     StoredArray(name: "pca_mean", shape: [k], floats: pca.mean.map(Float.init)),
                     StoredArray(name: "pca_components", shape: [kept, k], floats: pca.components.flatMap { $0.map(Float.init) }),
                     StoredArray(name: "pca_explained_variance", shape: [kept], floats: pca.explainedVariance.map(Float.init))])
    }
}
