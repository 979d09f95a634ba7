import GenLabData
import GenLabModels
import GenLabResults
import GenLabSpec
import GenLabTensor

/// What the disentanglement analyses measure: grid images of a dataset with ground-truth
/// factors (dSprites), chosen by factor indices drawn from PCG32 (the analysis's seed,
/// stream 42), and μ of q(z|x) of them (the lowest level, evaluation mode).
struct GridRepresentations {
    let grid: FactorGrid
    private let images: ImageSet
    private let model: LatentModel
    private let run: TrainedRun
    private let data: AnalysisData
    private let analysis: String
    private var generator: RandomGenerator

    /// Refused, naming the run file, when the run's dataset has no factors.
    init(run: TrainedRun, data: AnalysisData, analysis: String, seed: Int) throws(RunError) {
        model = try run.latentModel(for: analysis)
        let dataset = try data.dataset()
        guard let grid = dataset.factors, let images = dataset.gridImages else {
            throw RunError(.analysis, GridRepresentations.refusal(analysis, dataset: run.experiment.dataset), path: run.path)
        }
        (self.grid, self.images, self.run, self.data, self.analysis) = (grid, images, run, data, analysis)
        generator = RandomGenerator(seed: UInt64(seed), stream: .disentanglement)
    }

    /// Why `analysis` cannot measure a run on `dataset`.
    static func refusal(_ analysis: String, dataset: DatasetSpec) -> String {
        "analysis '\(analysis)' needs a dataset with ground-truth factors (dsprites); \(dataset.name.rawValue) has none"
    }

    /// The next point's factor indices, each uniform over its factor, factor by factor.
    mutating func draw() -> [Int] {
        grid.sizes.map { generator.nextInt(below: $0) }
    }

    /// A factor index, uniform over the factors.
    mutating func drawFactor() -> Int {
        generator.nextInt(below: grid.factors.count)
    }

    /// μ of the grid images whose factor indices are `points` (each image encoded once for all
    /// the run's analyses): N × K values and K.
    func means(_ points: [[Int]]) throws(RunError) -> (mu: [Float], k: Int) {
        try data.gridMeans(count: grid.count).means(points.map { grid.image(at: $0) }, images: images, model: model, run: run,
                                                    data: data, analysis: analysis)
    }

    /// μ of the grid images whose factor indices are `points`, [point][dimension].
    func codes(_ points: [[Int]]) throws(RunError) -> [[Double]] {
        let (mu, k) = try means(points)
        return (0..<points.count).map { p in (0..<k).map { Double(mu[p * k + $0]) } }
    }
}
