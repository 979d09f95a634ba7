/// x̂ = (x − mean) / √(var + eps) over each row of `width` consecutive values (biased
/// variance), and its backward: what GroupNorm (a row: one group of one item) and LayerNorm
/// (a row: one item) share.
struct RowStandardization {
    let eps: Float
    /// 1/√(var + eps) of each row of the last forward pass.
    private(set) var inverseStd: [Float] = []

    init(eps: Float) { self.eps = eps }

    /// x̂ of `rows` rows of `x` into `xhat`; mean and variance accumulate in Float64.
    mutating func forward(_ x: UnsafePointer<Float>, rows: Int, width: Int, into xhat: UnsafeMutablePointer<Float>) {
        inverseStd = Array(repeating: 0, count: rows)
        for r in 0..<rows {
            let row = x + r * width, out = xhat + r * width
            var sum = 0.0
            for i in 0..<width { sum += Double(row[i]) }
            let mean = sum / Double(width)
            var squares = 0.0
            for i in 0..<width {
                let d = Double(row[i]) - mean
                squares += d * d
            }
            let inverse = 1 / (squares / Double(width) + Double(eps)).squareRoot()
            inverseStd[r] = Float(inverse)
            for i in 0..<width { out[i] = Float((Double(row[i]) - mean) * inverse) }
        }
    }

    /// ∂L/∂x = (1/σ)·(∂x̂ − mean(∂x̂) − x̂·mean(∂x̂ ⊙ x̂)) per row, given ∂L/∂x̂ and the x̂ of
    /// the last forward pass.
    func backward(_ gradXhat: UnsafePointer<Float>, xhat: UnsafePointer<Float>, rows: Int, width: Int,
                  into gradInput: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let g = gradXhat + r * width, y = xhat + r * width, dx = gradInput + r * width
            var sum = 0.0, dot = 0.0
            for i in 0..<width {
                sum += Double(g[i])
                dot += Double(g[i]) * Double(y[i])
            }
            let meanG = sum / Double(width), meanDot = dot / Double(width), inverse = Double(inverseStd[r])
            for i in 0..<width { dx[i] = Float(inverse * (Double(g[i]) - meanG - Double(y[i]) * meanDot)) }
        }
    }
}
