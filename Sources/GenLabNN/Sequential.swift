/// `torch.nn.Sequential`: layers applied in order; parameters are keyed "<index>.<name>".
///
/// Element-wise layers run in place where nothing else reads what they overwrite (see
/// `InPlaceForward` and `InPlaceBackward`), never over the Sequential's own input or the
/// gradient it is given.
public final class Sequential: Layer {
    public let layers: [Layer]
    public var typeName: String { "Sequential" }
    /// Per layer: whether its forward writes over the output of the layer before.
    public let forwardsInPlace: [Bool]
    /// Per layer: whether its backward writes over the gradient of the layer after.
    public let backwardsInPlace: [Bool]

    public init(_ layers: [Layer]) {
        self.layers = layers
        forwardsInPlace = layers.indices.map { i in
            i > 0 && layers[i - 1] is OwnsItsResults && (layers[i] as? InPlaceForward)?.runsInPlace == true
        }
        var backwards = [Bool](repeating: false, count: layers.count)
        for i in layers.indices.reversed().dropFirst() where layers[i] is InPlaceBackward {
            backwards[i] = layers[i + 1] is OwnsItsResults || backwards[i + 1]
        }
        backwardsInPlace = backwards
    }

    public var isTraining: Bool {
        get { layers.first?.isTraining ?? true }
        set { for layer in layers { layer.isTraining = newValue } }
    }

    public var parameters: [NamedParameter] {
        layers.enumerated().flatMap { index, layer in
            layer.parameters.map { ("\(index).\($0.name)", $0.parameter) }
        }
    }

    public var buffers: [NamedBuffer] {
        layers.enumerated().flatMap { index, layer in
            layer.buffers.map { ("\(index).\($0.name)", $0.tensor) }
        }
    }

    public var counters: [NamedCounter] {
        layers.enumerated().flatMap { index, layer in
            layer.counters.map { ("\(index).\($0.name)", $0.counter) }
        }
    }

    public func reset(_ scheme: Initialization, generator: inout RandomGenerator) {
        for layer in layers { layer.reset(scheme, generator: &generator) }
    }

    /// The output shape of every layer for an input shape, stopping at the first that does
    /// not fit (its error names the layer's index and type).
    public func outputShapes(for inputShape: [Int]) throws(ShapeError) -> [[Int]] {
        var shapes: [[Int]] = []
        var shape = inputShape
        for (index, layer) in layers.enumerated() {
            do {
                shape = try layer.outputShape(for: shape)
            } catch {
                throw ShapeError("layer \(index) (\(layer.typeName)): \(error.message)")
            }
            shapes.append(shape)
        }
        return shapes
    }

    public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
        try outputShapes(for: inputShape).last ?? inputShape
    }

    public func forward(_ input: Tensor) throws(ShapeError) -> Tensor {
        var x = input
        for (layer, inPlace) in zip(layers, forwardsInPlace) {
            if inPlace, let layer = layer as? InPlaceForward {
                x = try layer.forward(inPlace: x)
            } else {
                x = try layer.forward(x)
            }
        }
        return x
    }

    public func backward(_ gradOutput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        var g = gradOutput
        for (layer, inPlace) in zip(layers, backwardsInPlace).reversed() {
            if inPlace, let layer = layer as? InPlaceBackward {
                g = try layer.backward(inPlace: g, accumulateParameterGradients: accumulateParameterGradients)
            } else {
                g = try layer.backward(g, accumulateParameterGradients: accumulateParameterGradients)
            }
        }
        return g
    }
}
