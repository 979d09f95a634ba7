/// `torch.nn.Sequential`: layers applied in order; parameters are keyed "<index>.<name>".
///
/// Element-wise layers run in place where nothing else reads what they overwrite (see
/// `InPlaceForward` and `InPlaceBackward`), and reshapes relabel their neighbours' tensors
/// instead of copying them (`InPlaceReshape`); never over the Sequential's own input or the
/// gradient it is given. A ReLU or LeakyReLU (slope 0 or more) after a layer that
/// `RectifiesItsOutput` is applied by that layer instead.
public final class Sequential: Layer {
    public let layers: [Layer]
    public var typeName: String { "Sequential" }
    /// Per layer: the layer, where its forward writes over the output of the layer before.
    private let forwardInPlace: [InPlaceForward?]
    /// Per layer: the layer, where its backward writes over the gradient of the layer after.
    private let backwardInPlace: [InPlaceBackward?]
    /// Per layer: the layer and the rectifier of the activation after it, where it applies it.
    private let rectifying: [(layer: RectifiesItsOutput, rectifier: Rectifier)?]
    /// Per layer: the layer and the smooth activations next to it that it applies.
    private let activating: [(layer: AppliesActivations, before: PointwiseActivation?, after: PointwiseActivation?)?]
    /// Per layer: whether the layer next to it applies it (it does not run itself).
    private let appliedByNeighbour: [Bool]
    /// Whether the groups in `activating` run apart until the next forward (a second-order
    /// pass asked for their caches).
    private var separated = false

    public init(_ layers: [Layer]) {
        self.layers = layers
        var forwards = [InPlaceForward?](repeating: nil, count: layers.count)
        // whether the output of layer i is storage that the layers after it may write over
        var free = [Bool](repeating: false, count: layers.count)
        for (i, layer) in layers.enumerated() {
            if i > 0, let inPlace = layer as? InPlaceForward, inPlace.runsInPlace, inPlace is InPlaceReshape || free[i - 1] {
                forwards[i] = inPlace
            }
            free[i] = forwards[i] == nil ? layer is OwnsItsResults : forwards[i] is InPlaceReshape && free[i - 1]
        }
        // the caller receives the storage of the last layer that ran out of place: a reshape
        // after it would change that tensor's shape under the caller in backward, so it copies
        for i in layers.indices.reversed() {
            guard let inPlace = forwards[i] else { break }
            if inPlace is InPlaceReshape {
                forwards[i] = nil
                break
            }
        }
        forwardInPlace = forwards
        // the activation takes over the output, as running in place would: the layer owns it
        rectifying = layers.indices.map { i in
            guard i + 1 < layers.count, let layer = layers[i] as? RectifiesItsOutput,
                  let rectifier = (layers[i + 1] as? Activation)?.rectifier else { return nil }
            return (layer, rectifier)
        }
        var groups = [(layer: AppliesActivations, before: PointwiseActivation?, after: PointwiseActivation?)?](repeating: nil, count: layers.count)
        var applied = [Bool](repeating: false, count: layers.count)
        for (i, layer) in layers.enumerated() {
            guard let layer = layer as? AppliesActivations else { continue }
            let before = i > 0 && !applied[i - 1] ? layers[i - 1] as? PointwiseActivation : nil
            let after = i + 1 < layers.count ? layers[i + 1] as? PointwiseActivation : nil
            guard before != nil || after != nil else { continue }
            if before != nil { applied[i - 1] = true }
            if after != nil { applied[i + 1] = true }
            groups[i] = (layer, before, after)
        }
        activating = groups
        appliedByNeighbour = applied
        var backwards = [InPlaceBackward?](repeating: nil, count: layers.count)
        for i in layers.indices.reversed().dropFirst() where layers[i + 1] is OwnsItsResults || backwards[i + 1] != nil {
            backwards[i] = layers[i] as? InPlaceBackward
        }
        backwardInPlace = backwards
    }

    /// Per layer: whether its forward writes over the output of the layer before.
    public var forwardsInPlace: [Bool] { forwardInPlace.map { $0 != nil } }
    /// Per layer: whether its backward writes over the gradient of the layer after.
    public var backwardsInPlace: [Bool] { backwardInPlace.map { $0 != nil } }
    /// Per layer: whether it applies the activation after it (`RectifiesItsOutput`).
    public var rectifiesNext: [Bool] { rectifying.map { $0 != nil } }
    /// Per layer: whether it applies the smooth activation before it (`AppliesActivations`).
    public var activatesPrevious: [Bool] { activating.map { $0?.before != nil } }
    /// Per layer: whether it applies the smooth activation after it (`AppliesActivations`).
    public var activatesNext: [Bool] { activating.map { $0?.after != nil } }

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
        separated = false
        for (i, layer) in layers.enumerated() {
            if let group = activating[i] {
                x = try group.layer.forward(x, before: group.before?.pointwiseFunction, after: group.after?.pointwiseFunction)
            } else if appliedByNeighbour[i] {
                continue
            } else if let fused = rectifying[i] {
                x = try fused.layer.forward(x, rectifier: fused.rectifier)
            } else if i > 0, rectifying[i - 1] != nil, let activation = layer as? Activation {
                x = activation.forward(rectified: x)
            } else if let inPlace = forwardInPlace[i] {
                x = try inPlace.forward(inPlace: x)
            } else {
                x = try layer.forward(x)
            }
        }
        return x
    }

    /// Each input gradient a layer returns is read by the layer before it (or written over
    /// by the in-place ones between), then released (`Tensor.release()`): the layer that
    /// returned it writes it again only in its next backward. A layer that applies the
    /// activations next to it runs their backward passes too.
    public func backward(_ gradOutput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        var g = gradOutput
        for (i, (layer, inPlace)) in zip(layers, backwardInPlace).enumerated().reversed() {
            let next: Tensor
            if !separated, appliedByNeighbour[i] {
                continue
            } else if !separated, let group = activating[i] {
                // over the gradient where the group's last layer would have written over it
                let overGradient = backwardInPlace[group.after == nil ? i : i + 1] != nil
                next = try group.layer.backward(g, before: group.before?.pointwiseFunction, after: group.after?.pointwiseFunction,
                                                into: overGradient ? g : group.layer.gradientStorage,
                                                accumulateParameterGradients: accumulateParameterGradients)
            } else if let inPlace {
                next = try inPlace.backward(inPlace: g, accumulateParameterGradients: accumulateParameterGradients)
            } else {
                next = try layer.backward(g, accumulateParameterGradients: accumulateParameterGradients)
            }
            if g !== gradOutput, next !== g { g.release() }
            g = next
        }
        return g
    }
}

extension Sequential: SecondOrderLayer {
    /// Each layer's, from the last; an error names the first layer without a second-order pass.
    public func backwardKeepingGradients(_ gradOutput: Tensor) throws(ShapeError) -> Tensor {
        if !separated {
            for group in activating { if let group { try group.layer.separate(before: group.before, after: group.after) } }
            separated = true
        }
        var g = gradOutput
        for (index, layer) in layers.enumerated().reversed() { g = try Sequential.secondOrder(layer, index).backwardKeepingGradients(g) }
        return g
    }

    /// Each layer's, from the first: the backward pass's gradients run the other way.
    public func backwardOfBackward(_ gradGradInput: Tensor) throws(ShapeError) -> Tensor {
        var v = gradGradInput
        for (index, layer) in layers.enumerated() { v = try Sequential.secondOrder(layer, index).backwardOfBackward(v) }
        return v
    }

    public var hasPendingInputGradient: Bool {
        layers.contains { ($0 as? SecondOrderLayer)?.hasPendingInputGradient == true }
    }

    private static func secondOrder(_ layer: Layer, _ index: Int) throws(ShapeError) -> SecondOrderLayer {
        guard let layer = layer as? SecondOrderLayer else {
            throw ShapeError("layer \(index) (\(layer.typeName)) has no second-order pass")
        }
        return layer
    }
}

/// A layer made of layers (`Sequential`, a residual block): what walks over a network reach.
public protocol ContainsLayers: Layer {
    /// The layers inside, in order.
    var sublayers: [Layer] { get }
}

extension Sequential: ContainsLayers {
    public var sublayers: [Layer] { layers }
}

extension Layer {
    /// This layer and every layer inside it, depth first.
    public var descendants: [Layer] { [self] + ((self as? ContainsLayers)?.sublayers.flatMap(\.descendants) ?? []) }

    /// Sets what the matrix products of this layer and every layer inside it multiply.
    public func use(_ precision: Precision) {
        for case let layer as MultipliesMatrices in descendants { layer.precision = precision }
    }
}

/// A layer whose work is matrix products (`Linear`, `Conv2d`, `ConvTranspose2d`): they run in
/// bf16 when a model trains in bf16 (`Layer.use`), as PyTorch's CPU autocast runs them.
public protocol MultipliesMatrices: Layer {
    /// What its products multiply.
    var precision: Precision { get set }
}
