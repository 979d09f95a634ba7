/// How a loss turns per-element terms into one number, as PyTorch's `reduction=`.
public enum Reduction: String, Sendable, CaseIterable {
    case mean
    case sum

    /// The factor applied to the sum of `count` terms.
    @inline(__always)
    func factor(count: Int) -> Float { self == .mean ? 1 / Float(count) : 1 }
}

/// Throws unless `a` and `b` have the same shape.
func requireSameShape(_ a: Tensor, _ b: Tensor, _ what: String) throws(ShapeError) {
    guard a.shape == b.shape else {
        throw ShapeError("\(what): shapes \(a.shape.shapeDescription) and \(b.shape.shapeDescription) differ")
    }
}
