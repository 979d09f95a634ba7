/// The random stream every dropout layer of a model draws its masks from, in the order the
/// layers run; its state is saved with checkpoints (as "dropout"), so a resumed run draws
/// what an uninterrupted one would have.
public final class DropoutNoise {
    public var generator: RandomGenerator
    public init(_ generator: RandomGenerator) { self.generator = generator }
}

/// `torch.nn.Dropout(p)` and `torch.nn.Dropout2d(p)`: in training, each value (Dropout) or
/// each channel of each item (Dropout2d) is kept with probability 1 − p and scaled by
/// 1/(1 − p); in evaluation, the identity. The mask: one uniform draw in [0, 1) per value or
/// channel, in row-major order, from `noise`; a draw below p drops.
public final class Dropout: OwnsItsResults, ParameterFreeLayer {
    public let p: Float
    /// Whether whole channels drop (Dropout2d).
    public let channelwise: Bool
    /// Where the masks come from (`BuiltModel` gives every dropout layer the model's own).
    public var noise: DropoutNoise?
    public var isTraining = true
    public var typeName: String { channelwise ? "Dropout2d" : "Dropout" }
    private let output = Tensor(zeros: [0]), gradInput = Tensor(zeros: [0])
    /// The last forward's mask, 0 or 1/(1 − p) per value or channel; empty when it did not drop.
    private var mask: [Float] = []
    private var inputShape: [Int]?
    let secondOrder = SecondOrderState()

    public init(p: Float, channelwise: Bool) {
        self.p = p
        self.channelwise = channelwise
    }

    public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
        if channelwise, inputShape.count < 3 {
            throw ShapeError("Dropout2d expects (N, C, H, W) or (N, C, L) inputs but receives \(inputShape.shapeDescription)")
        }
        return inputShape
    }

    /// Values per mask entry: 1, or a channel's positions.
    private func span(_ shape: [Int]) -> Int { channelwise ? shape.dropFirst(2).reduce(1, *) : 1 }

    public func forward(_ input: Tensor) throws(ShapeError) -> Tensor {
        _ = try outputShape(for: input.shape)
        output.resize(to: input.shape)
        inputShape = input.shape
        guard isTraining, p > 0 else {
            mask = []
            output.copy(from: input)
            return output
        }
        guard let noise else { throw ShapeError("\(typeName) has no random stream to draw its mask from") }
        let span = span(input.shape), entries = input.count / max(span, 1)
        let draws = Tensor(zeros: [entries])
        noise.generator.fillUniform(draws.buffer, low: 0, high: 1)
        let scale = 1 / (1 - p)
        mask = (0..<entries).map { draws[$0] < p ? 0 : scale }
        let x = input.data, y = output.data
        for e in 0..<entries {
            let m = mask[e]
            for i in (e * span)..<((e + 1) * span) { y[i] = x[i] * m }
        }
        return output
    }

    public func backward(_ gradOutput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        guard let inputShape else { throw ShapeError("\(typeName): backward called before forward") }
        try checkGradient(gradOutput, matches: output)
        gradInput.resize(to: inputShape)
        guard !mask.isEmpty else {
            gradInput.copy(from: gradOutput)
            return gradInput
        }
        scale(gradOutput, into: gradInput)
        return gradInput
    }
}

extension Dropout: SecondOrderLayer {
    /// ∂L/∂x = g ⊙ mask: ∂P/∂g = v ⊙ mask.
    public func backwardOfBackward(_ gradGradInput: Tensor) throws(ShapeError) -> Tensor {
        guard let inputShape, gradGradInput.shape == inputShape else {
            throw ShapeError("\(typeName): backwardOfBackward needs a gradient of its last input's shape")
        }
        let result = secondOrder.result
        result.resize(to: inputShape)
        if mask.isEmpty { result.copy(from: gradGradInput) } else { scale(gradGradInput, into: result) }
        return result
    }

    /// into = values ⊙ the last mask.
    private func scale(_ values: Tensor, into: Tensor) {
        let span = span(values.shape), g = values.data, dx = into.data
        for (e, m) in mask.enumerated() {
            for i in (e * span)..<((e + 1) * span) { dx[i] = g[i] * m }
        }
    }
}

extension Dropout {
    /// Reads `{p: 0.1}`, p in [0, 1).
    static func probability(_ arguments: YAMLNode?, path: String) throws(SpecError) -> Double {
        let f = try arguments!.fields(path, allowed: ["p"])
        let node = try f.required("p")
        let p = try node.double(f.path("p"), min: 0)
        guard p < 1 else {
            throw SpecError(.invalidValue, "'\(f.path("p"))' is \(p): a dropout probability is at least 0 and below 1", at: node.location)
        }
        return p
    }

    /// `- dropout: {p: 0.1}`.
    public struct Kind: LayerKind, Equatable {
        public var p: Double
        public init(p: Double) { self.p = p }
        public static let name = "dropout"
        public static let example: String? = "'dropout: {p: 0.1}'"
        public static func parse(_ arguments: YAMLNode?, path: String) throws(SpecError) -> Kind { Kind(p: try probability(arguments, path: path)) }
        public func build(input: [Int], generator: inout RandomGenerator) throws(ShapeError) -> Layer { Dropout(p: Float(p), channelwise: false) }
        public func describe(input: [Int]) -> LayerDescription {
            LayerDescription("Dropout", [("p", .double(p))], text: "Dropout(p=\(p), inplace=False)")
        }
    }

    /// `- dropout2d: {p: 0.1}` on C×H×W (or C×L) inputs.
    public struct Channels: LayerKind, Equatable {
        public var p: Double
        public init(p: Double) { self.p = p }
        public static let name = "dropout2d"
        public static let example: String? = "'dropout2d: {p: 0.1}'"
        public static func parse(_ arguments: YAMLNode?, path: String) throws(SpecError) -> Channels { Channels(p: try probability(arguments, path: path)) }
        public func build(input: [Int], generator: inout RandomGenerator) throws(ShapeError) -> Layer {
            guard input.count >= 2 else { throw ShapeError("dropout2d needs C×H×W or C×L inputs, but its input is \(input.shapeDescription)") }
            return Dropout(p: Float(p), channelwise: true)
        }
        public func describe(input: [Int]) -> LayerDescription {
            LayerDescription("Dropout2d", [("p", .double(p))], text: "Dropout2d(p=\(p), inplace=False)")
        }
    }
}
