import GenLabData
import GenLabModels
import GenLabResults

/// μ of q(z|x) of a run's grid images, each encoded once for all the disentanglement analyses
/// of one `analyze` (their default samples draw about three million grid images, nearly all
/// of the 737,280 dSprites images several times over). Images are encoded in batches of
/// exactly 512 — the indices asked for and not yet known, ascending, the last batch filled
/// up with its last image — so an image's μ does not depend on which analyses ran before.
final class GridMeans {
    /// Each grid image's row in `storage`, or −1.
    private var rows: [Int32]
    private var storage: [Float] = []
    private var width = 0
    static let batch = 512

    init(gridCount: Int) {
        rows = [Int32](repeating: -1, count: gridCount)
    }

    /// μ of the grid images `indices` (repeats allowed): N × K values and K.
    func means(_ indices: [Int], images: ImageSet, model: LatentModel, run: TrainedRun, data: AnalysisData,
               analysis: String) throws(RunError) -> (mu: [Float], k: Int) {
        let missing = Array(Set(indices.filter { rows[$0] < 0 })).sorted()
        for start in stride(from: 0, to: missing.count, by: GridMeans.batch) {
            let chunk = Array(missing[start..<min(start + GridMeans.batch, missing.count)])
            let filled = chunk + [Int](repeating: chunk[chunk.count - 1], count: GridMeans.batch - chunk.count)
            let (mu, k) = try data.means(images.subset(filled), model: model, run: run, analysis: analysis)
            width = k
            for (place, index) in chunk.enumerated() {
                rows[index] = Int32(storage.count / max(k, 1))
                storage += mu[(place * k)..<((place + 1) * k)]
            }
        }
        var result = [Float](repeating: 0, count: indices.count * width)
        for (place, index) in indices.enumerated() {
            let row = Int(rows[index]) * width
            for d in 0..<width { result[place * width + d] = storage[row + d] }
        }
        return (result, width)
    }
}
