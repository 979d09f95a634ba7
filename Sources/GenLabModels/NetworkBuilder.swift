import GenLabNN
import GenLabSpec

/// One row of a network's plan table.
public struct LayerRow: Equatable, Sendable {
    /// The `state_dict` index of the layer in its network.
    public var index: Int
    /// PyTorch-style description: "Conv2d(1, 16, kernel_size=4, stride=2, padding=1, bias=False)".
    public var description: String
    /// Output shape of one item (without the batch dimension).
    public var outputShape: [Int]
    public var parameters: Int
}

/// A built network with its input shape and plan rows.
public struct BuiltNetwork {
    /// "encoder", "decoder", "generator", "discriminator", "critic", …
    public var name: String
    public var network: Sequential
    /// Shape of one input item.
    public var inputShape: [Int]
    public var rows: [LayerRow]

    /// Shape of one output item.
    public var outputShape: [Int] { rows.last?.outputShape ?? inputShape }
    public var parameterCount: Int { network.parameterCount }
}

/// Turns a layer list into a network, inferring in-channels and in-features from the shape
/// flowing through it; a layer that does not fit is a located error.
struct NetworkBuilder {
    let name: String
    /// The key path of the list in the file ("model.encoder").
    let path: String
    var generator: RandomGenerator
    /// How many parameters the networks built so far leave for this one (see `ModelSize`).
    var parameterBudget = ModelSize.maxParameters

    /// The layer for one spec at the current item shape, with its description.
    static func layer(for spec: LayerSpec, itemShape shape: [Int], generator: inout RandomGenerator,
                      path: String, budget: Int = ModelSize.maxParameters) throws(SpecError) -> (Layer, String) {
        func require(rank: Int, _ hint: String) throws(SpecError) {
            guard shape.count == rank else {
                throw SpecError(.shapeMismatch, "\(path): \(hint), but its input is \(shape.shapeDescription)", at: spec.location)
            }
        }
        guard let count = ModelSize.parameters(of: spec, input: shape), count <= budget else {
            let size = ModelSize.parameters(of: spec, input: shape)
            let before = ModelSize.maxParameters - budget
            let total = Double(size ?? Int.max) + Double(before)
            let earlier = before > 0 ? ", \(before) in the layers built before it" : ""
            throw SpecError(.tooLarge, "\(path): this layer on inputs of \(shape.shapeDescription) has \(size.map(String.init) ?? "over 2⁶³") parameters\(earlier); training them takes \(ModelSize.describe(bytes: total * Double(ModelSize.bytesPerParameter))) with gradients and optimizer state, and GenLab may use \(ModelSize.describe(bytes: Double(ModelSize.memoryBytes))) here", at: spec.location)
        }
        let bool = { (b: Bool) in b ? "True" : "False" }
        var layer: Layer
        var text: String
        switch spec.kind {
        case .linear(let out, let bias):
            try require(rank: 1, "linear needs flat inputs (add 'flatten' before it)")
            layer = Linear(inFeatures: shape[0], outFeatures: out, bias: bias)
            text = "Linear(in_features=\(shape[0]), out_features=\(out), bias=\(bool(bias)))"
        case .conv2d(let out, let k, let s, let p, let bias):
            try require(rank: 3, "conv2d needs C×H×W inputs (add 'unflatten' before it)")
            layer = Conv2d(inChannels: shape[0], outChannels: out, kernelSize: k, stride: s, padding: p, bias: bias)
            text = "Conv2d(\(shape[0]), \(out), kernel_size=\(k), stride=\(s), padding=\(p), bias=\(bool(bias)))"
        case .convTranspose2d(let out, let k, let s, let p, let op, let bias):
            try require(rank: 3, "conv_transpose2d needs C×H×W inputs (add 'unflatten' before it)")
            layer = ConvTranspose2d(inChannels: shape[0], outChannels: out, kernelSize: k, stride: s, padding: p,
                                    outputPadding: op, bias: bias)
            text = "ConvTranspose2d(\(shape[0]), \(out), kernel_size=\(k), stride=\(s), padding=\(p), output_padding=\(op), bias=\(bool(bias)))"
        case .batchNorm:
            guard (1...3).contains(shape.count) else {
                throw SpecError(.shapeMismatch, "\(path): batchnorm needs F, C×L or C×H×W inputs, but its input is \(shape.shapeDescription)", at: spec.location)
            }
            let dimensions = shape.count == 3 ? 2 : 1
            layer = BatchNorm(dimensions: dimensions, features: shape[0])
            text = "BatchNorm\(dimensions)d(\(shape[0]))"
        case .relu:
            (layer, text) = (Activation(.relu), "ReLU()")
        case .leakyReLU(let slope):
            (layer, text) = (Activation(.leakyReLU(slope: Float(slope))), "LeakyReLU(negative_slope=\(slope))")
        case .sigmoid:
            (layer, text) = (Activation(.sigmoid), "Sigmoid()")
        case .tanh:
            (layer, text) = (Activation(.tanh), "Tanh()")
        case .flatten:
            (layer, text) = (Reshape.flatten(), "Flatten()")
        case .unflatten(let target):
            (layer, text) = (Reshape.unflatten(target), "Unflatten(1, \(target))")
        case .avgPool:
            try require(rank: 3, "avgpool needs C×H×W inputs")
            (layer, text) = (AdaptiveAvgPool2d(), "AdaptiveAvgPool2d(1)")
        case .bias:
            (layer, text) = (PixelBias(itemShape: shape), "BiasLayer(\(shape.shapeDescription))")
        }
        if spec.spectralNorm {
            guard let weighted = layer as? WeightedLayer else {
                throw SpecError(.shapeMismatch, "\(path): spectral_norm applies to linear and conv2d layers only", at: spec.location)
            }
            layer = SpectralNorm(weighted, generator: &generator)
            text = "spectral_norm(\(text))"
        }
        return (layer, text)
    }

    /// One item's output shape of `layer`, or a located error when it does not fit or is
    /// larger than `ModelSize.maxItemElements`.
    static func outputShape(of layer: Layer, _ spec: LayerSpec, input: [Int], path: String) throws(SpecError) -> [Int] {
        let shape: [Int]
        do {
            shape = Array(try layer.outputShape(for: [1] + input).dropFirst())
        } catch {
            throw SpecError(.shapeMismatch, "\(path): \(error.message)", at: spec.location)
        }
        guard let count = Tensor.checkedElementCount(shape), count <= ModelSize.maxItemElements else {
            throw SpecError(.tooLarge, "\(path): its output \(shape.shapeDescription) per image has more than \(ModelSize.maxItemElements) values", at: spec.location)
        }
        return shape
    }

    /// Builds the network for items of `inputShape`.
    mutating func build(_ specs: [LayerSpec], inputShape: [Int]) throws(SpecError) -> BuiltNetwork {
        var layers: [Layer] = []
        var rows: [LayerRow] = []
        var shape = inputShape
        for (index, spec) in specs.enumerated() {
            let where_ = "\(path)[\(index)] (\(name) layer \(index))"
            let (layer, text) = try NetworkBuilder.layer(for: spec, itemShape: shape, generator: &generator, path: where_,
                                                         budget: parameterBudget)
            parameterBudget -= layer.parameterCount
            shape = try NetworkBuilder.outputShape(of: layer, spec, input: shape, path: where_)
            layers.append(layer)
            rows.append(LayerRow(index: index, description: text, outputShape: shape, parameters: layer.parameterCount))
        }
        return BuiltNetwork(name: name, network: Sequential(layers), inputShape: inputShape, rows: rows)
    }

    /// The decoder that mirrors `encoder` (built for `inputShape`), starting from items of
    /// `decoderInput` features: each layer replaced by its counterpart in reverse order —
    /// Conv2d ↔ ConvTranspose2d (with the output padding that restores the size), Linear
    /// back to its input features, Flatten ↔ Unflatten, activations, BatchNorm and bias kept.
    static func mirror(of encoder: [LayerSpec], inputShape: [Int], head: LayerSpec,
                       location: SourceLocation) throws(SpecError) -> [LayerSpec] {
        var shapes: [[Int]] = [inputShape]
        var scratch = RandomGenerator(seed: 0)
        for (index, spec) in encoder.enumerated() {
            let (layer, _) = try layer(for: spec, itemShape: shapes[index], generator: &scratch, path: "model.encoder[\(index)]")
            shapes.append(try outputShape(of: layer, spec, input: shapes[index], path: "model.encoder[\(index)]"))
        }
        var mirrored: [LayerSpec] = [head]
        for (index, spec) in encoder.enumerated().reversed() {
            let input = shapes[index], output = shapes[index + 1]
            let kind: LayerSpec.Kind
            switch spec.kind {
            case .linear(_, let bias):
                kind = .linear(out: input[0], bias: bias)
            case .conv2d(_, let k, let s, let p, let bias):
                let paddings = [1, 2].map { input[$0] - ((output[$0] - 1) * s - 2 * p + k) }
                guard paddings[0] == paddings[1], (0..<s).contains(paddings[0]) else {
                    throw SpecError(.shapeMismatch, "decoder: mirror cannot invert model.encoder[\(index)] (conv2d from \(input.shapeDescription) to \(output.shapeDescription)); write the decoder as a list", at: spec.location)
                }
                kind = .convTranspose2d(out: input[0], kernel: k, stride: s, padding: p, outputPadding: paddings[0], bias: bias)
            case .convTranspose2d(_, let k, let s, let p, _, let bias):
                kind = .conv2d(out: input[0], kernel: k, stride: s, padding: p, bias: bias)
            case .flatten:
                if input.count == 1 { continue }
                kind = .unflatten(input)
            case .unflatten:
                kind = .flatten
            case .avgPool:
                throw SpecError(.shapeMismatch, "decoder: mirror cannot invert avgpool (model.encoder[\(index)]); write the decoder as a list", at: spec.location)
            case .batchNorm, .relu, .leakyReLU, .sigmoid, .tanh, .bias:
                kind = spec.kind
            }
            mirrored.append(LayerSpec(kind, location: location))
        }
        return mirrored
    }
}
