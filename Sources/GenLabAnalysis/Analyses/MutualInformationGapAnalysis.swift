import GenLabModels
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabTensor

/// `mig`: the mutual information gap (`MutualInformationGap`, disentanglement_lib's defaults:
/// 10,000 points, 20 bins) of μ of q(z|x) (the lowest level, evaluation mode) on `count` grid
/// images whose factors are drawn uniformly and independently, each factor's index by PCG32
/// (seed `seed`, stream 42), factor by factor for each point in turn, as disentanglement_lib
/// samples dSprites' factors.
public struct MutualInformationGapAnalysis: Analysis {
    public static let name = "mig"
    public static let kinds = autoencoders
    public static let needsFactors = true
    public static let parameterNames = ["count", "bins", "seed"]
    let count: Int
    let bins: Int
    let seed: Int

    public init(_ parameters: Fields?) throws(SpecError) {
        count = try parameters.int("count", default: 10_000, min: 2, max: 1_000_000)
        bins = try parameters.int("bins", default: 20, min: 2, max: 10_000)
        seed = try parameters.int("seed", default: 0, min: 0)
    }

    public func run(on run: TrainedRun, data: AnalysisData, pictures: String) throws(RunError) -> AnalysisRecord {
        var representations = try GridRepresentations(run: run, data: data, analysis: Self.name, seed: seed)
        let grid = representations.grid
        let sampled = (0..<count).map { _ in representations.draw() }
        let (mu, k) = try representations.means(sampled)
        let codes = (0..<k).map { d in (0..<count).map { Double(mu[$0 * k + d]) } }
        let factors = grid.factors.indices.map { j in sampled.map { $0[j] } }
        let result = MutualInformationGap.compute(codes: codes, factors: factors, bins: bins)
        return AnalysisRecord(name: Self.name, attributes: [
            ("definition", .text("""
                mig: the mean over the factors of (I(z_a; v) − I(z_b; v)) / H(v), z_a and z_b the two latent dimensions most \
                informative of factor v, each dimension of μ cut into \(bins) equal bins between its extremes (disentanglement_lib's \
                mig); mutual information and entropy in nats (stored as float32; mig itself as float64); per_factor in the order of factor_names
                """)),
            ("factor_names", .text(grid.factors.map(\.name).joined(separator: ", "))),
            ("step", .integer(Int64(run.step))), ("count", .integer(Int64(count))), ("bins", .integer(Int64(bins))),
            ("seed", .integer(Int64(seed))), ("mig", .number(result.score))],
            arrays: [StoredArray(name: "per_factor", shape: [factors.count], floats: result.perFactor.map(Float.init)),
                     StoredArray(name: "mutual_information", shape: [k, factors.count], floats: result.mutualInformation.joined().map(Float.init)),
                     StoredArray(name: "entropy", shape: [factors.count], floats: result.entropy.map(Float.init)),
                     StoredArray(name: "mu", shape: [count, k], floats: mu),
                     StoredArray(name: "factors", shape: [count, factors.count], values: .int64(sampled.joined().map(Int64.init)))])
    }
}
