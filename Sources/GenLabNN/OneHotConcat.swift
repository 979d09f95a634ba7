/// A conditional VAE's conditioning: the one-hot label appended to each row,
/// (N, F) → (N, F + C), as `torch.cat([x, F.one_hot(y, C)], 1)`. The backward pass drops the
/// label columns.
public struct OneHotConcat: Sendable {
    public var classes: Int
    public init(classes: Int) { self.classes = classes }

    /// Writes [x | one_hot(label)] into `output`; a label outside 0..<classes is an error.
    public func forward(_ x: Tensor, labels: [Int32], into output: Tensor) throws(ShapeError) {
        let n = x.shape.first ?? 0, features = x.count / Swift.max(n, 1)
        guard labels.count == n else { throw ShapeError("one-hot: \(labels.count) labels for \(n) rows") }
        let width = features + classes
        output.resize(to: [n, width])
        output.fill(0)
        for i in 0..<n {
            let label = Int(labels[i])
            guard (0..<classes).contains(label) else { throw ShapeError("one-hot: label \(label) outside 0..<\(classes)") }
            (output.data + i * width).update(from: x.data + i * features, count: features)
            output[i * width + features + label] = 1
        }
    }

    /// ∂L/∂x from ∂L/∂output: the first `features` columns of each row.
    public func backward(_ gradOutput: Tensor, features: Int, into gradInput: Tensor) throws(ShapeError) {
        let n = gradOutput.shape.first ?? 0, width = features + classes
        guard gradOutput.shape == [n, width] else {
            throw ShapeError("one-hot: gradient \(gradOutput.shape.shapeDescription), expected \(n)×\(width)")
        }
        gradInput.resize(to: [n, features])
        for i in 0..<n { (gradInput.data + i * features).update(from: gradOutput.data + i * width, count: features) }
    }
}
