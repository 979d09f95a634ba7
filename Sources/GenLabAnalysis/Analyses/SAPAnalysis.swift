import GenLabModels
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabTensor

/// `sap`: the separated attribute predictability (`SAPScore`, disentanglement_lib's defaults:
/// 10,000 training and 5,000 test points, discrete factors: a `LinearSVC(C: 0.01,
/// class_weight: "balanced")` per latent dimension and factor, its test accuracy the score)
/// on μ of q(z|x) (the lowest level, evaluation mode) of grid images whose factors are drawn
/// uniformly by PCG32 (seed `seed`, stream 42), the training points first. With
/// `continuous_factors: true`, the squared correlations of each dimension with each factor's
/// index instead (training points only).
public struct SAPAnalysis: Analysis {
    public static let name = "sap"
    public static let kinds = autoencoders
    public static let needsFactors = true
    public static let parameterNames = ["num_train", "num_test", "continuous_factors", "seed"]
    let train: Int
    let test: Int
    let continuous: Bool
    let seed: Int

    public init(_ parameters: Fields?) throws(SpecError) {
        train = try parameters.int("num_train", default: 10_000, min: 2, max: 1_000_000)
        test = try parameters.int("num_test", default: 5_000, min: 1, max: 1_000_000)
        continuous = try parameters.bool("continuous_factors", default: false)
        seed = try parameters.int("seed", default: 0, min: 0)
    }

    public func run(on run: TrainedRun, data: AnalysisData, pictures: String) throws(RunError) -> AnalysisRecord {
        var representations = try GridRepresentations(run: run, data: data, analysis: Self.name, seed: seed)
        let grid = representations.grid
        let points = (0..<(train + test)).map { _ in representations.draw() }
        let (mu, k) = try representations.means(points)
        let columns = { (range: Range<Int>) in (0..<k).map { d in range.map { Double(mu[$0 * k + d]) } } }
        let factorRows = { (range: Range<Int>) in grid.factors.indices.map { j in range.map { points[$0][j] } } }
        let matrix = continuous
            ? SAPScore.continuousMatrix(codes: columns(0..<train), factors: factorRows(0..<train).map { $0.map(Double.init) })
            : SAPScore.discreteMatrix(codes: columns(0..<train), factors: factorRows(0..<train),
                                      testCodes: columns(train..<(train + test)), testFactors: factorRows(train..<(train + test)))
        let f = grid.factors.count
        return AnalysisRecord(name: Self.name, attributes: [
            ("definition", .text("""
                sap: the mean over the factors of the gap between the two best entries of score_matrix [dimension][factor]: \
                \(continuous ? "the squared correlation of each latent dimension of μ with each factor" : "the test accuracy of a linear SVM (scikit-learn's LinearSVC(C=0.01, class_weight='balanced'), fitted to its optimum) predicting each factor from each latent dimension of μ alone") \
                (disentanglement_lib's sap_score)
                """)),
            ("factor_names", .text(grid.factors.map(\.name).joined(separator: ", "))),
            ("step", .integer(Int64(run.step))), ("num_train", .integer(Int64(train))), ("num_test", .integer(Int64(test))),
            ("continuous_factors", .integer(continuous ? 1 : 0)), ("seed", .integer(Int64(seed))),
            ("sap", .number(SAPScore.meanGap(matrix)))],
            arrays: [StoredArray(name: "score_matrix", shape: [k, f], floats: matrix.joined().map(Float.init))])
    }
}
