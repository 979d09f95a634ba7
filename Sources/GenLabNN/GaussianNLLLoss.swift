import Foundation

/// The negative log-likelihood of a target under N(input, σx²) with a scalar log σx (fixed
/// or learned): ½·log 2π + log σx + ½·(target − input)²·e^(−2 log σx) per element.
public struct GaussianNLLLoss: Sendable {
    public var reduction: Reduction
    public init(reduction: Reduction = .sum) { self.reduction = reduction }

    private static let halfLogTwoPi = 0.5 * Foundation.log(2 * Double.pi)

    public func forward(_ input: Tensor, _ target: Tensor, logSigmaX: Float) throws(ShapeError) -> Float {
        try requireSameShape(input, target, "gaussian_nll")
        let x = input.data, t = target.data
        let precision = Double(Foundation.exp(-2 * logSigmaX))
        var squares = 0.0
        for i in 0..<input.count { let d = Double(t[i] - x[i]); squares += d * d }
        let total = Double(input.count) * (GaussianNLLLoss.halfLogTwoPi + Double(logSigmaX)) + 0.5 * precision * squares
        return Float(total) * reduction.factor(of: input)
    }

    /// Writes scale · ∂loss/∂input into `gradInput` and returns scale · ∂loss/∂log σx.
    @discardableResult
    public func backward(_ input: Tensor, _ target: Tensor, logSigmaX: Float, scale: Float = 1,
                         into gradInput: Tensor) throws(ShapeError) -> Float {
        try requireSameShape(input, target, "gaussian_nll")
        gradInput.resize(to: input.shape)
        let k = scale * reduction.factor(of: input)
        let precision = Foundation.exp(-2 * logSigmaX)
        let x = input.data, t = target.data, g = gradInput.data
        var squares = 0.0
        for i in 0..<input.count {
            let d = x[i] - t[i]
            g[i] = k * precision * d
            squares += Double(d * d)
        }
        return k * Float(Double(input.count) - Double(precision) * squares)
    }
}
