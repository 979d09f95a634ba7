/// How a loss turns per-element terms into one number, as PyTorch's `reduction=`.
public enum Reduction: String, Sendable, CaseIterable {
    /// The mean over every element.
    case mean
    /// The sum over every element.
    case sum
    /// The sum over every element divided by the batch size (the first dimension): a sum per
    /// image, averaged over the batch, as PyTorch's `KLDivLoss(reduction="batchmean")` and
    /// CIS-522's ELBO.
    case batchmean

    /// The factor applied to the sum of the terms of `t`.
    @inline(__always)
    func factor(of t: Tensor) -> Float {
        switch self {
        case .mean: 1 / Float(t.count)
        case .sum: 1
        case .batchmean: 1 / Float(t.shape.first ?? 1)
        }
    }
}

/// Throws unless `a` and `b` have the same shape.
func requireSameShape(_ a: Tensor, _ b: Tensor, _ what: String) throws(ShapeError) {
    guard a.shape == b.shape else {
        throw ShapeError("\(what): shapes \(a.shape.shapeDescription) and \(b.shape.shapeDescription) differ")
    }
}
