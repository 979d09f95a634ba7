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
        reset(rows: rows)
        for r in 0..<rows { measure(row: r, x + r * width, width: width) }
    }

    /// Room for the statistics of `rows` rows, measured one by one.
    mutating func reset(rows: Int) {
        mean = Array(repeating: 0, count: rows)
        inverseStd = Array(repeating: 0, count: rows)
    }

    /// The statistics of row `r`, whose `width` values are at `x`.
    mutating func measure(row r: Int, _ x: UnsafePointer<Float>, width: Int) {
        genlab_moments(x, width, eps, &mean[r], &inverseStd[r])
    }

    /// x̂ = (x − mean)·(1/σ) of row `r`, 16 lanes from `start`.
    @inline(__always)
    func standardized(_ x: VectorMath.Lanes, row r: Int) -> VectorMath.Lanes { (x - mean[r]) * inverseStd[r] }
}

extension RowStandardization {
    /// One row of the second pass through the standardisation's backward (see
    /// `SecondOrderLayer`). The backward pass gives ∂L/∂x = (1/σ)·M·(γ ⊙ g), M = I − 11ᵀ/n −
    /// x̂x̂ᵀ/n, from g = ∂L/∂y; for v = ∂P/∂(∂L/∂x) this writes ∂P/∂g = γ ⊙ r, r = (1/σ)·M·v,
    /// into `gradGrad`, adds ∂P/∂γ = g ⊙ r into `gammaGrad` (per value), and writes ∂P/∂x
    /// (through x̂ and σ, with g held) into `pending`. `gamma` holds the row's per-value scales.
    func secondOrder(row r: Int, width n: Int, x: UnsafePointer<Float>, g: UnsafePointer<Float>, v: UnsafePointer<Float>,
                     gamma: UnsafePointer<Float>, gradGrad: UnsafeMutablePointer<Float>,
                     gammaGrad: UnsafeMutablePointer<Float>, pending: UnsafeMutablePointer<Float>) {
        let mu = Double(mean[r]), inverse = Double(inverseStd[r]), width = Double(n)
        func xhat(_ i: Int) -> Double { (Double(x[i]) - mu) * inverse }
        var sumV = 0.0, sumVX = 0.0, sumA = 0.0, sumAX = 0.0, sumVA = 0.0
        for i in 0..<n {
            let a = Double(gamma[i]) * Double(g[i]), h = xhat(i), vi = Double(v[i])
            sumV += vi; sumVX += vi * h; sumA += a; sumAX += a * h; sumVA += vi * a
        }
        let meanV = sumV / width, meanVX = sumVX / width, meanA = sumA / width, c = sumAX / width
        // L = ⟨v, ∂L/∂x⟩; F = ∂L/∂x̂ with σ held, ∂L/∂σ = −L/σ
        let l = inverse * (sumVA - meanA * sumV - c * sumVX), fSigma = -l * inverse
        func f(_ i: Int) -> Double { inverse * (-c * Double(v[i]) - meanVX * Double(gamma[i]) * Double(g[i])) }
        var sumF = 0.0, sumFX = 0.0
        for i in 0..<n {
            let fi = f(i)
            sumF += fi; sumFX += fi * xhat(i)
        }
        let meanF = sumF / width, meanFX = sumFX / width
        for i in 0..<n {
            let h = xhat(i), ri = inverse * (Double(v[i]) - meanV - h * meanVX)
            gradGrad[i] = Float(Double(gamma[i]) * ri)
            gammaGrad[i] += Float(Double(g[i]) * ri)
            pending[i] = Float(inverse * (f(i) - meanF - h * meanFX) + fSigma * h / width)
        }
    }
}
