import GenLabData
import GenLabModels
import GenLabResults

/// μ of q(z|x) of a run's grid images, each encoded once for all the disentanglement analyses
/// of one `analyze` (their default samples draw about three million grid images, nearly all
/// of the 737,280 dSprites images several times over). The grid is cut into fixed blocks of
/// 64 consecutive images (the last one filled up with its last image), and an image is always
/// encoded with its whole block, in a batch of its own: its μ depends neither on which
/// analyses ran before nor on whether the matrix products' kernels give a row the same bits
/// at every place in a batch (OpenBLAS's AVX2 kernels do not).
final class GridMeans {
    /// Each grid image's row in `storage`, or −1.
    private var rows: [Int32]
    private var storage: [Float] = []
    private var width = 0
    static let block = 64

    init(gridCount: Int) {
        rows = [Int32](repeating: -1, count: gridCount)
    }

    /// μ of the grid images `indices` (repeats allowed): N × K values and K.
    func means(_ indices: [Int], images: ImageSet, model: LatentModel, run: TrainedRun, data: AnalysisData,
               analysis: String) throws(RunError) -> (mu: [Float], k: Int) {
        let blocks = Set(indices.filter { rows[$0] < 0 }.map { $0 / GridMeans.block }).sorted()
        for block in blocks {
            let members = Array((block * GridMeans.block)..<min((block + 1) * GridMeans.block, rows.count))
            let filled = members + [Int](repeating: members[members.count - 1], count: GridMeans.block - members.count)
            let (mu, k) = try data.means(images.subset(filled), model: model, run: run, analysis: analysis)
            width = k
            for (place, index) in members.enumerated() {
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
