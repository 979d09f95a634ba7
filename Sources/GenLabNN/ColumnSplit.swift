/// A joint head's output [a | b] split into its two column blocks, (N, A + B) → (N, A) and
/// (N, B), as `torch.split(x, [A, B], 1)`; the backward pass joins the two gradients.
public struct ColumnSplit: Sendable {
    public var first: Int
    public var second: Int
    public init(_ first: Int, _ second: Int) {
        self.first = first
        self.second = second
    }

    /// Writes the two blocks of `input` into `a` and `b`.
    public func forward(_ input: Tensor, into a: Tensor, _ b: Tensor) throws(ShapeError) {
        let n = input.shape.first ?? 0, width = first + second
        guard input.shape == [n, width] else {
            throw ShapeError("split: input \(input.shape.shapeDescription), expected N×\(width)")
        }
        a.resize(to: [n, first])
        b.resize(to: [n, second])
        for i in 0..<n {
            (a.data + i * first).update(from: input.data + i * width, count: first)
            (b.data + i * second).update(from: input.data + i * width + first, count: second)
        }
    }

    /// Writes [∂a | ∂b] into `gradInput`.
    public func backward(_ gradA: Tensor, _ gradB: Tensor, into gradInput: Tensor) throws(ShapeError) {
        let n = gradA.shape.first ?? 0, width = first + second
        guard gradA.shape == [n, first], gradB.shape == [n, second] else {
            throw ShapeError("split: gradients \(gradA.shape.shapeDescription) and \(gradB.shape.shapeDescription) do not fit N×\(first) and N×\(second)")
        }
        gradInput.resize(to: [n, width])
        for i in 0..<n {
            (gradInput.data + i * width).update(from: gradA.data + i * first, count: first)
            (gradInput.data + i * width + first).update(from: gradB.data + i * second, count: second)
        }
    }
}
