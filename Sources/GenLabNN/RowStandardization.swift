import CKernels

/// The mean and 1/√(var + eps) (biased variance) of each row of `width` consecutive values:
/// what GroupNorm (a row: one group of one item) and LayerNorm (a row: one item) share,
/// measured by the C kernel `genlab_moments` (16 float lanes, added up in double).
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
        for r in 0..<rows { genlab_moments(x + r * width, width, eps, &mean[r], &inverseStd[r]) }
    }

    /// x̂ = (x − mean)·(1/σ) of row `r`, 16 lanes from `start`.
    @inline(__always)
    func standardized(_ x: VectorMath.Lanes, row r: Int) -> VectorMath.Lanes { (x - mean[r]) * inverseStd[r] }
}
