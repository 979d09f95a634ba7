import GenLabNN
import GenLabSpec

/// One row of a network's plan table.
public struct LayerRow: Equatable, Sendable {
    /// The `state_dict` index of the layer in its network.
    public var index: Int
    /// The module with its resolved arguments.
    public var layer: LayerDescription
    /// PyTorch-style description: "Conv2d(1, 16, kernel_size=4, stride=2, padding=1, bias=False)".
    public var description: String { layer.text }
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
                      path: String, budget: Int = ModelSize.maxParameters) throws(SpecError) -> (Layer, LayerDescription) {
        guard let count = spec.kind.parameterCount(input: shape), count <= budget else {
            let size = spec.kind.parameterCount(input: shape)
            let before = ModelSize.maxParameters - budget
            let total = Double(size ?? Int.max) + Double(before)
            let earlier = before > 0 ? ", \(before) in the layers built before it" : ""
            throw SpecError(.tooLarge, "\(path): this layer on inputs of \(shape.shapeDescription) has \(size.map(String.init) ?? "over 2⁶³") parameters\(earlier); training them takes \(ModelSize.describe(bytes: total * Double(ModelSize.bytesPerParameter))) with gradients and optimizer state, and GenLab may use \(ModelSize.describe(bytes: Double(ModelSize.memoryBytes))) here", at: spec.location)
        }
        do {
            return (try spec.kind.build(input: shape, generator: &generator), spec.kind.describe(input: shape))
        } catch {
            throw SpecError(.shapeMismatch, "\(path): \(error.message)", at: spec.location)
        }
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
        try extend(BuiltNetwork(name: name, network: Sequential([]), inputShape: inputShape, rows: []), with: specs)
    }

    /// `built` with `specs` appended (built at its output shape, indexed after its layers).
    mutating func extend(_ built: BuiltNetwork, with specs: [LayerSpec]) throws(SpecError) -> BuiltNetwork {
        var layers = built.network.layers
        var rows = built.rows
        var shape = built.outputShape
        for spec in specs {
            let index = layers.count
            let where_ = "\(path)[\(index)] (\(name) layer \(index))"
            let (layer, description) = try NetworkBuilder.layer(for: spec, itemShape: shape, generator: &generator, path: where_,
                                                         budget: parameterBudget)
            parameterBudget -= layer.parameterCount
            shape = try NetworkBuilder.outputShape(of: layer, spec, input: shape, path: where_)
            layers.append(layer)
            rows.append(LayerRow(index: index, layer: description, outputShape: shape, parameters: layer.parameterCount))
        }
        return BuiltNetwork(name: name, network: Sequential(layers), inputShape: built.inputShape, rows: rows)
    }

    /// The decoder that mirrors `encoder` (built for `inputShape`), after `head`: each layer
    /// replaced by its `LayerKind.mirror` (Conv2d ↔ ConvTranspose2d, Linear back to its input
    /// features, Flatten ↔ Unflatten, the rest kept), in reverse order.
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
            do {
                let kinds = try spec.kind.mirror(input: shapes[index], output: shapes[index + 1])
                mirrored += kinds.map { LayerSpec($0, location: location) }
            } catch {
                throw SpecError(.shapeMismatch, "decoder: mirror cannot invert model.encoder[\(index)] (\(error.message)); write the decoder as a list", at: spec.location)
            }
        }
        return mirrored
    }
}
