/// `torch.nn.GroupNorm(num_groups, num_channels)`: each item's channels split into groups,
/// each group standardised over its channels and positions (no running statistics, the same
/// in training and evaluation), then scaled and shifted per channel. Backward recomputes x̂
/// from the input (as BatchNorm does) and may write over the gradient it is given.
public final class GroupNorm: OwnsItsResults, BackwardInto {
    public let groups: Int
    public let channels: Int
    public let weight: Parameter
    public let bias: Parameter
    public var isTraining = true
    public var typeName: String { "GroupNorm" }
    private var statistics = RowStandardization(eps: 1e-5)
    private let output = Tensor(zeros: [0])
    public let gradientStorage = Tensor(zeros: [0])
    /// The last input (the layer before leaves it untouched until backward).
    private var input: Tensor?

    public init(groups: Int, channels: Int) {
        self.groups = groups
        self.channels = channels
        weight = Parameter(shape: [channels])
        weight.value.fill(1)
        bias = Parameter(shape: [channels])
    }

    public var parameters: [NamedParameter] { [("weight", weight), ("bias", bias)] }

    public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
        guard inputShape.count >= 2, inputShape[1] == channels else {
            throw ShapeError("GroupNorm(\(groups), \(channels)) expects (N, \(channels), …) inputs but receives \(inputShape.shapeDescription)")
        }
        return inputShape
    }

    public func forward(_ input: Tensor) throws(ShapeError) -> Tensor {
        _ = try outputShape(for: input.shape)
        let positions = input.shape.dropFirst(2).reduce(1, *), n = input.shape[0], perGroup = channels / groups
        output.resize(to: input.shape)
        statistics.measure(input.data, rows: n * groups, width: perGroup * positions)
        let x = input.data, y = output.data, w = weight.value.data, b = bias.value.data
        for item in 0..<n {
            for c in 0..<channels {
                let row = item * groups + c / perGroup, start = (item * channels + c) * positions
                let scale = statistics.inverseStd[row] * w[c], shift = b[c] - statistics.mean[row] * scale
                VectorMath.forEachChunk(positions) { at, count in
                    VectorMath.store(VectorMath.load(x, start + at, count) * scale + shift, y, start + at, count)
                }
            }
        }
        self.input = input
        return output
    }

    /// ∂L/∂x = (1/σ)·(∂x̂ − mean(∂x̂) − x̂·mean(∂x̂ ⊙ x̂)) per group, ∂x̂ = ∂L/∂y·w, into
    /// `gradInput` (which may be `gradOutput`: each value is read before it is written).
    public func backward(_ gradOutput: Tensor, into gradInput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        guard let input else { throw ShapeError("GroupNorm: backward called before forward") }
        try checkGradient(gradOutput, matches: output)
        let positions = input.shape.dropFirst(2).reduce(1, *), n = input.shape[0], perGroup = channels / groups
        gradInput.resize(to: input.shape)
        let x = input.data, g = gradOutput.data, dx = gradInput.data, w = weight.value.data
        let dw = weight.grad.data, db = bias.grad.data
        var sumG = [Float](repeating: 0, count: channels), sumGX = [Float](repeating: 0, count: channels)
        for item in 0..<n {
            for group in 0..<groups {
                let row = item * groups + group
                var meanDxhat = 0.0, meanDot = 0.0
                for c in (group * perGroup)..<((group + 1) * perGroup) {
                    let start = (item * channels + c) * positions
                    var gs = VectorMath.Lanes(), gx = VectorMath.Lanes()
                    VectorMath.forEachChunk(positions) { at, count in
                        let gl = VectorMath.load(g, start + at, count)
                        gs += gl
                        gx += gl * statistics.standardized(VectorMath.load(x, start + at, count), row: row)
                    }
                    sumG[c] = gs.sum()
                    sumGX[c] = gx.sum()
                    meanDxhat += Double(sumG[c] * w[c])
                    meanDot += Double(sumGX[c] * w[c])
                }
                let width = Double(perGroup * positions)
                let a = Float(meanDxhat / width), d = Float(meanDot / width), inverse = statistics.inverseStd[row]
                for c in (group * perGroup)..<((group + 1) * perGroup) {
                    let start = (item * channels + c) * positions, wc = w[c]
                    VectorMath.forEachChunk(positions) { at, count in
                        let xhat = statistics.standardized(VectorMath.load(x, start + at, count), row: row)
                        let dxhat = VectorMath.load(g, start + at, count) * wc
                        VectorMath.store(inverse * (dxhat - a - xhat * d), dx, start + at, count)
                    }
                    if accumulateParameterGradients {
                        dw[c] += sumGX[c]
                        db[c] += sumG[c]
                    }
                }
            }
        }
        self.input = nil
        return gradInput
    }

    /// Weight 1, bias 0, as PyTorch initialises it (also under DCGAN's scheme, which draws
    /// BatchNorm weights only).
    public func reset(_ scheme: Initialization, generator: inout RandomGenerator) {
        weight.value.fill(1)
        bias.value.fill(0)
    }
}

extension GroupNorm {
    /// `- groupnorm: {groups: 8}` on C, C×L or C×H×W inputs, `groups` dividing C.
    public struct Kind: LayerKind, Equatable {
        public var groups: Int
        public init(groups: Int) { self.groups = groups }
        public static let name = "groupnorm"
        public static let example: String? = "'groupnorm: {groups: 8}'"

        public static func parse(_ arguments: YAMLNode?, path: String) throws(SpecError) -> Kind {
            let f = try arguments!.fields(path, allowed: ["groups"])
            return Kind(groups: try f.required("groups").int(f.path("groups"), min: 1, max: maxLayerSize))
        }

        public func parameterCount(input: [Int]) -> Int? { 2 * (input.first ?? 0) }

        /// The input's shape (checked when built).
        public func outputShape(input: [Int]) throws(ShapeError) -> [Int] { input }

        public func build(input: [Int], generator: inout RandomGenerator) throws(ShapeError) -> Layer {
            guard let channels = input.first else {
                throw ShapeError("groupnorm needs C, C×L or C×H×W inputs, but its input is empty")
            }
            guard channels % groups == 0 else {
                throw ShapeError("groupnorm: \(groups) groups do not divide its \(channels) channels")
            }
            return GroupNorm(groups: groups, channels: channels)
        }

        public func describe(input: [Int]) -> LayerDescription {
            LayerDescription("GroupNorm", [("num_groups", .int(groups)), ("num_channels", .int(input[0])), ("eps", .double(1e-5)),
                                           ("affine", .bool(true))],
                             text: "GroupNorm(\(groups), \(input[0]), eps=1e-05, affine=True, bias=True)")
        }
    }
}
