/// `torch.nn.Flatten` (all dimensions after the batch into one) and `torch.nn.Unflatten`
/// (the features of each item into a given shape).
public final class Reshape: Layer {
    /// The per-item shape after the layer; nil flattens.
    public let itemShape: [Int]?
    public var isTraining = true
    private let output = Tensor(zeros: [0])
    private let gradInput = Tensor(zeros: [0])
    private var inputShape: [Int]?

    /// Flatten: (N, …) → (N, product of …).
    public static func flatten() -> Reshape { Reshape(itemShape: nil) }
    /// Unflatten: (N, F) → (N, itemShape…), F = product of itemShape.
    public static func unflatten(_ itemShape: [Int]) -> Reshape { Reshape(itemShape: itemShape) }

    private init(itemShape: [Int]?) { self.itemShape = itemShape }

    public var typeName: String { itemShape == nil ? "Flatten" : "Unflatten" }

    public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
        guard let first = inputShape.first else { throw ShapeError("\(typeName) needs a batch dimension") }
        let features = inputShape.dropFirst().reduce(1, *)
        guard let itemShape else { return [first, features] }
        guard Tensor.elementCount(itemShape) == features, itemShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeError("Unflatten to \(itemShape.shapeDescription) does not fit an input of \(features) features")
        }
        return [first] + itemShape
    }

    public func forward(_ input: Tensor) throws(ShapeError) -> Tensor {
        output.resize(to: try outputShape(for: input.shape))
        output.data.update(from: input.data, count: input.count)
        inputShape = input.shape
        return output
    }

    public func backward(_ gradOutput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        guard let inputShape else { throw ShapeError("\(typeName): backward called before forward") }
        try checkGradient(gradOutput, matches: output)
        gradInput.resize(to: inputShape)
        gradInput.data.update(from: gradOutput.data, count: gradOutput.count)
        return gradInput
    }
}
