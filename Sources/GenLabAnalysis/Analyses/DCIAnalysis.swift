import GenLabModels
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabTensor

/// `dci`: disentanglement, completeness and informativeness (Eastwood & Williams, 2018;
/// `DCIScore` from the importances of `DCIImportance`: one lasso regression per factor,
/// `alpha` 0.02) on μ of q(z|x) (the lowest level, evaluation mode) of 10,000 training and
/// 5,000 test grid images (disentanglement_lib's sizes) whose factors are drawn uniformly by
/// PCG32 (seed `seed`, stream 42), the training points first.
public struct DCIAnalysis: Analysis {
    public static let name = "dci"
    public static let kinds = autoencoders
    public static let needsFactors = true
    public static let parameterNames = ["num_train", "num_test", "alpha", "seed"]
    let train: Int
    let test: Int
    let alpha: Double
    let seed: Int

    public init(_ parameters: Fields?) throws(SpecError) {
        train = try parameters.int("num_train", default: 10_000, min: 2, max: 1_000_000)
        test = try parameters.int("num_test", default: 5_000, min: 1, max: 1_000_000)
        alpha = try parameters.double("alpha", default: 0.02, exclusiveMin: 0)
        seed = try parameters.int("seed", default: 0, min: 0)
    }

    public func run(on run: TrainedRun, data: AnalysisData, pictures: String) throws(RunError) -> AnalysisRecord {
        var representations = try GridRepresentations(run: run, data: data, analysis: Self.name, seed: seed)
        let grid = representations.grid
        let points = (0..<(train + test)).map { _ in representations.draw() }
        let codes = try representations.codes(points)
        // each factor's index on [0, 1]
        let scaled = points.map { zip($0, grid.sizes).map { index, size in size > 1 ? Double(index) / Double(size - 1) : 0 } }
        let fit = DCIImportance(codes: Array(codes[..<train]), factors: Array(scaled[..<train]),
                                testCodes: Array(codes[train...]), testFactors: Array(scaled[train...]), alpha: alpha)
        let scores = DCIScore.compute(importance: fit.importance)
        let k = fit.importance.count, f = grid.factors.count
        let mean = { (values: [Double]) in values.reduce(0, +) / Double(max(values.count, 1)) }
        return AnalysisRecord(name: Self.name, attributes: [
            ("definition", .text("""
                dci: disentanglement and completeness (Eastwood & Williams; disentanglement_lib's dci formulas) of the importance \
                matrix [dimension][factor] = |weight| of a lasso regression (alpha \(alpha), fitted to its optimum) of each factor's \
                index scaled to [0, 1] on μ standardised by the training points; informativeness_train/test: the mean over the \
                factors of the root-mean-square prediction error (lower is better), per factor in train_error/test_error
                """)),
            ("factor_names", .text(grid.factors.map(\.name).joined(separator: ", "))),
            ("step", .integer(Int64(run.step))), ("num_train", .integer(Int64(train))), ("num_test", .integer(Int64(test))),
            ("alpha", .number(alpha)), ("seed", .integer(Int64(seed))),
            ("disentanglement", .number(scores.disentanglement)), ("completeness", .number(scores.completeness)),
            ("informativeness_train", .number(mean(fit.trainError))), ("informativeness_test", .number(mean(fit.testError)))],
            arrays: [StoredArray(name: "importance_matrix", shape: [k, f], floats: fit.importance.joined().map(Float.init)),
                     StoredArray(name: "disentanglement_per_dimension", shape: [k], floats: scores.perCode.map(Float.init)),
                     StoredArray(name: "completeness_per_factor", shape: [f], floats: scores.perFactor.map(Float.init)),
                     StoredArray(name: "train_error", shape: [f], floats: fit.trainError.map(Float.init)),
                     StoredArray(name: "test_error", shape: [f], floats: fit.testError.map(Float.init))])
    }
}
