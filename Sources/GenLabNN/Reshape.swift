/// `torch.nn.Flatten` (all dimensions after the batch into one) and `torch.nn.Unflatten`
/// (the features of each item into a given shape). On its own it copies; inside a
/// `Sequential` it relabels the tensor it receives instead (see `InPlaceReshape`).
public final class Reshape: ParameterFreeLayer, OwnsItsResults, InPlaceReshape {
    /// The per-item shape after the layer; nil flattens.
    public let itemShape: [Int]?
    public var isTraining = true
    private let output = Tensor(zeros: [0])
    private let gradInput = Tensor(zeros: [0])
    private var inputShape: [Int]?
    /// The tensor the last in-place forward gave the output shape (another layer's
    /// output), until backward gives it its shape back.
    private var relabelled: Tensor?
    lazy var twin = Reshape(itemShape: itemShape)

    /// Flatten: (N, …) → (N, product of …).
    public static func flatten() -> Reshape { Reshape(itemShape: nil) }
    /// Unflatten: (N, F) → (N, itemShape…), F = product of itemShape.
    public static func unflatten(_ itemShape: [Int]) -> Reshape { Reshape(itemShape: itemShape) }

    private init(itemShape: [Int]?) { self.itemShape = itemShape }

    public var typeName: String { itemShape == nil ? "Flatten" : "Unflatten" }

    public var runsInPlace: Bool { true }

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
        relabelled = nil
        return output
    }

    /// `input` itself with the output shape (see `InPlaceReshape`).
    public func forward(inPlace input: Tensor) throws(ShapeError) -> Tensor {
        let shape = try outputShape(for: input.shape)
        inputShape = input.shape
        try input.reshape(shape)
        relabelled = input
        return input
    }

    public func backward(_ gradOutput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        let inputShape = try endBackward(gradOutput)
        gradInput.resize(to: inputShape)
        gradInput.data.update(from: gradOutput.data, count: gradOutput.count)
        return gradInput
    }

    /// `gradOutput` itself with the input's shape (see `InPlaceReshape`).
    public func backward(inPlace gradOutput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        try gradOutput.reshape(try endBackward(gradOutput))
        return gradOutput
    }

    /// Checks `gradOutput` against the last output, gives the tensor an in-place forward
    /// relabelled its shape back, and returns the last input's shape.
    private func endBackward(_ gradOutput: Tensor) throws(ShapeError) -> [Int] {
        guard let inputShape else { throw ShapeError("\(typeName): backward called before forward") }
        try checkGradient(gradOutput, matches: relabelled ?? output)
        try relabelled?.reshape(inputShape)
        relabelled = nil
        return inputShape
    }
}

extension Reshape: SecondOrderLayer {
    /// ∂L/∂input as a copy. The tensor an in-place forward relabelled gets the input's shape
    /// back, for the layers before, until `backwardOfBackward` gives it the output's again,
    /// for the layers after (their second passes and next backward read it so).
    public func backwardKeepingGradients(_ gradOutput: Tensor) throws(ShapeError) -> Tensor {
        guard let inputShape else { throw ShapeError("\(typeName): backward called before forward") }
        try checkGradient(gradOutput, matches: relabelled ?? output)
        gradInput.resize(to: inputShape)
        gradInput.data.update(from: gradOutput.data, count: gradOutput.count)
        try relabelled?.reshape(inputShape)
        return gradInput
    }

    /// ∂P/∂g = v with the output's shape (the twin's copy).
    public func backwardOfBackward(_ gradGradInput: Tensor) throws(ShapeError) -> Tensor {
        if let relabelled, let inputShape { try relabelled.reshape(try outputShape(for: inputShape)) }
        return try twin.forward(gradGradInput)
    }
}

extension Reshape {
    /// `- flatten`: everything after the batch dimension into one.
    public struct Flatten: BareLayerKind {
        public init() {}
        public static let name = "flatten"
        public func build(input: [Int], generator: inout RandomGenerator) throws(ShapeError) -> Layer { Reshape.flatten() }
        public func describe(input: [Int]) -> LayerDescription {
            LayerDescription("Flatten", [("start_dim", .int(1)), ("end_dim", .int(-1))], text: "Flatten()")
        }

        /// An Unflatten back to the input's shape (nothing when it was flat already).
        public func mirror(input: [Int], output: [Int]) throws(ShapeError) -> [any LayerKind] {
            input.count == 1 ? [] : [Unflatten(shape: input)]
        }
    }

    /// `- unflatten: [32, 7, 7]`: each item's features into at most three sizes.
    public struct Unflatten: LayerKind, Equatable {
        public var shape: [Int]
        public init(shape: [Int]) { self.shape = shape }
        public static let name = "unflatten"
        public static let example: String? = "'unflatten: [32, 7, 7]'"

        public static func parse(_ arguments: YAMLNode?, path: String) throws(SpecError) -> Unflatten {
            var shape: [Int] = []
            for (i, item) in try arguments!.list(path, nonEmpty: true).enumerated() {
                shape.append(try item.int("\(path)[\(i)]", min: 1, max: maxLayerSize))
            }
            guard shape.count <= 3, Tensor.checkedElementCount(shape).map({ $0 <= maxLayerSize }) ?? false else {
                throw SpecError(.outOfRange, "'\(path)' must be at most 3 sizes whose product is at most \(maxLayerSize), found \(shape.shapeDescription)", at: arguments!.location)
            }
            return Unflatten(shape: shape)
        }

        public func build(input: [Int], generator: inout RandomGenerator) throws(ShapeError) -> Layer { Reshape.unflatten(shape) }
        public func describe(input: [Int]) -> LayerDescription {
            LayerDescription("Unflatten", [("dim", .int(1)), ("unflattened_size", .ints(shape))], text: "Unflatten(1, \(shape))")
        }
        public func mirror(input: [Int], output: [Int]) throws(ShapeError) -> [any LayerKind] { [Flatten()] }
    }
}
