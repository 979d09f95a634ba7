import Foundation
import GenLabData
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabTensor

/// `memorisation`: for `count` generated images (z seeded) and for the first `count` test
/// images, the Euclidean distance (pixel scale) to the nearest image the run was trained on.
/// A generator that copies its training images puts its samples closer to them than unseen
/// test images are.
public struct Memorisation: Analysis {
    public static let name = "memorisation"
    public static let kinds = ClassifierScores.kinds
    public static let costly = true
    public static let parameterNames = ["count", "seed", "show"]
    let count: Int
    let seed: Int
    let show: Int

    public init(_ parameters: Fields?) throws(SpecError) {
        count = try parameters.int("count", default: 1000, min: 1, max: 100_000)
        seed = try parameters.int("seed", default: 0, min: 0)
        show = try parameters.int("show", default: 8, min: 1, max: 64)
    }

    /// For each row of `queries` (N × d), the distance to the nearest row of `images` and its
    /// index, by blocks of 4096 training rows: ‖q‖² + ‖t‖² − 2·q·t with one matrix product.
    static func nearest(_ queries: [Float], _ images: ImageSet, dimension d: Int) -> (distances: [Float], indices: [Int]) {
        let n = queries.count / max(d, 1)
        var best = [Float](repeating: .infinity, count: n), index = [Int](repeating: -1, count: n)
        let queryNorms = (0..<n).map { i in (0..<d).reduce(Float(0)) { $0 + queries[i * d + $1] * queries[i * d + $1] } }
        var cross = [Float](repeating: 0, count: n * 4096)
        for start in stride(from: 0, to: images.count, by: 4096) {
            let rows = BatchLoader.whole(images.subset(Array(start..<min(start + 4096, images.count))), normalization: .unit).images.values
            let m = rows.count / d
            BLAS.gemm(transB: true, m: n, n: m, k: d, a: queries, lda: d, b: rows, ldb: d, beta: 0, c: &cross, ldc: m)
            for j in 0..<m {
                let norm = (0..<d).reduce(Float(0)) { $0 + rows[j * d + $1] * rows[j * d + $1] }
                for i in 0..<n {
                    let squared = max(0, queryNorms[i] + norm - 2 * cross[i * m + j])
                    if squared < best[i] { best[i] = squared; index[i] = start + j }
                }
            }
        }
        return (best.map { $0.squareRoot() }, index)
    }

    public func run(on run: TrainedRun, data: AnalysisData, pictures: String) throws(RunError) -> AnalysisRecord {
        let train = try data.dataset().train
        let test = try data.testImages(for: run, analysis: Self.name).prefix(count)
        let d = run.experiment.dataset.imageShape.reduce(1, *)
        var generator = RandomGenerator(seed: UInt64(seed), stream: .memorisation)
        let classes = run.generative.classes
        let generated = try data.generated(count, generator: &generator, label: { Int32($0 % max(classes, 1)) }, run: run, analysis: Self.name)
        // generated and test images against the training set in one pass over it
        let testPixels = BatchLoader.whole(test, normalization: .unit).images.values
        let (distances, nearest) = Memorisation.nearest(generated.pixels + testPixels, train, dimension: d)
        let (fromGenerated, fromTest) = (Array(distances.prefix(count)), Array(distances.dropFirst(count)))
        let nearestToGenerated = Array(nearest.prefix(count))
        // the first `show` generated images above their nearest training images
        let shown = min(show, count)
        let neighbours = BatchLoader.whole(train.subset(Array(nearestToGenerated.prefix(shown))), normalization: .unit).images.values
        try data.picture(Array(generated.pixels.prefix(shown * d)) + neighbours, count: 2 * shown, columns: shown, named: "memorisation.png", in: pictures)
        let median = { (values: [Float]) -> Double in
            let sorted = values.sorted()
            return sorted.isEmpty ? .nan : Double(sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2)
        }
        let threshold = fromTest.sorted()[max(0, fromTest.count / 20 - 1)]
        let closer = Double(fromGenerated.filter { $0 < threshold }.count) / Double(max(count, 1))
        return AnalysisRecord(name: Self.name, attributes: [
            ("definition", .text("""
                Euclidean distance (pixel scale, all \(d) values) from each of \(count) generated images (z seeded) and of the first \
                \(test.count) test images to the nearest of the \(train.count) training images; median_generated and median_test, their \
                ratio (below 1: samples nearer the training set than unseen images are), fraction_closer: generated images nearer than \
                the 5th percentile of the test images' distances (about 0.05 when samples are no closer than test images); picture: \
                generated images above their nearest training images
                """)),
            ("step", .integer(Int64(run.step))), ("count", .integer(Int64(count))), ("seed", .integer(Int64(seed))),
            ("median_generated", .number(median(fromGenerated))), ("median_test", .number(median(fromTest))),
            ("ratio", .number(median(fromGenerated) / median(fromTest))), ("fraction_closer", .number(closer))],
            arrays: [StoredArray(name: "distances_generated", shape: [count], floats: fromGenerated),
                     StoredArray(name: "distances_test", shape: [test.count], floats: fromTest),
                     StoredArray(name: "nearest_generated", shape: [count], values: .int64(nearestToGenerated.map(Int64.init)))])
    }
}
