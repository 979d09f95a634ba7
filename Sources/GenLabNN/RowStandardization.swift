/// The mean and 1/√(var + eps) (biased variance) of each row of `width` consecutive values:
/// what GroupNorm (a row: one group of one item) and LayerNorm (a row: one item) share. Sums
/// run over 16 lanes in Float and add up in Float64.
struct RowStandardization {
    let eps: Float
    /// Of each row of the last `measure`.
    private(set) var mean: [Float] = []
    private(set) var inverseStd: [Float] = []

    init(eps: Float) { self.eps = eps }

    /// The statistics of `rows` rows of `x`.
    mutating func measure(_ x: UnsafePointer<Float>, rows: Int, width: Int) {
        mean = Array(repeating: 0, count: rows)
        inverseStd = Array(repeating: 0, count: rows)
        for r in 0..<rows {
            let row = x + r * width
            var sum = 0.0
            VectorMath.forEachChunk(width) { start, n in sum += Double(VectorMath.load(row, start, n).sum()) }
            let m = Float(sum / Double(width))
            var squares = 0.0
            VectorMath.forEachChunk(width) { start, n in
                let d = VectorMath.load(row, start, n) - m
                // the padding lanes of the last chunk hold −m: left out
                var lanes = d * d
                for i in n..<VectorMath.Lanes.scalarCount { lanes[i] = 0 }
                squares += Double(lanes.sum())
            }
            mean[r] = m
            inverseStd[r] = Float(1 / (squares / Double(width) + Double(eps)).squareRoot())
        }
    }

    /// x̂ = (x − mean)·(1/σ) of row `r`, 16 lanes from `start`.
    @inline(__always)
    func standardized(_ x: VectorMath.Lanes, row r: Int) -> VectorMath.Lanes { (x - mean[r]) * inverseStd[r] }
}
