import CKernels

/// `torch.nn.GroupNorm(num_groups, num_channels)`: each item's channels split into groups,
/// each group standardised over its channels and positions (no running statistics, the same
/// in training and evaluation), then scaled and shifted per channel. Backward recomputes x̂
/// from the input (as BatchNorm does) and may write over the gradient it is given; so it
/// applies a smooth activation after it itself (`ActivatesItsOutput`).
public final class GroupNorm: ActivatesItsOutput {
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
    /// One channel's output before the activation it applies, recomputed.
    private let plane = Tensor(zeros: [0])
    /// The output before the activation, for the activation's own passes (`separate`).
    private let preActivation = Tensor(zeros: [0])
    let secondOrder = SecondOrderState()

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
        try forward(input, activation: nil)
    }

    /// Each channel of each item scaled and shifted into `output`, or into one channel's
    /// `plane` and from there through `activation` into `output`.
    public func forward(_ input: Tensor, activation: (any PointwiseFunction)?) throws(ShapeError) -> Tensor {
        _ = try outputShape(for: input.shape)
        let positions = input.shape.dropFirst(2).reduce(1, *), n = input.shape[0], perGroup = channels / groups
        output.resize(to: input.shape)
        plane.resize(to: [positions])
        statistics.measure(input.data, rows: n * groups, width: perGroup * positions)
        for item in 0..<n {
            for c in 0..<channels {
                let start = (item * channels + c) * positions
                guard let activation else {
                    affine(input.data, item: item, channel: c, positions: positions, into: output.data + start)
                    continue
                }
                affine(input.data, item: item, channel: c, positions: positions, into: plane.data)
                activation.forward(plane.data, output.data + start, count: positions)
            }
        }
        self.input = input
        return output
    }

    /// One channel of one item of `input` (the last), standardised, scaled and shifted: the
    /// output before any activation, the same bits in forward and backward.
    private func affine(_ input: UnsafePointer<Float>, item: Int, channel c: Int, positions: Int, into y: UnsafeMutablePointer<Float>) {
        let row = item * groups + c / (channels / groups), x = input + (item * channels + c) * positions
        let scale = statistics.inverseStd[row] * weight.value.data[c], shift = bias.value.data[c] - statistics.mean[row] * scale
        for i in 0..<positions { y[i] = x[i] * scale + shift }
    }

    /// ∂L/∂x = (1/σ)·(∂x̂ − mean(∂x̂) − x̂·mean(∂x̂ ⊙ x̂)) per group, ∂x̂ = ∂L/∂y·w, into
    /// `gradInput` (which may be `gradOutput`: each value is read before it is written); may
    /// run again for the same forward pass (see `SecondOrderLayer`).
    public func backward(_ gradOutput: Tensor, into gradInput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        try backward(gradOutput, activation: nil, into: gradInput, accumulateParameterGradients: accumulateParameterGradients)
    }

    /// As above, first through `activation` when given: per group, ∂L/∂y = ∂L/∂output ·
    /// f′(y) into `gradInput`, y recomputed one channel at a time, then on from there.
    public func backward(_ gradOutput: Tensor, activation: (any PointwiseFunction)?, into gradInput: Tensor,
                         accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        guard let input else { throw ShapeError("GroupNorm: backward called before forward") }
        try checkGradient(gradOutput, matches: output)
        let positions = input.shape.dropFirst(2).reduce(1, *), n = input.shape[0], perGroup = channels / groups
        gradInput.resize(to: input.shape)
        plane.resize(to: [positions])
        let x = input.data, dx = gradInput.data, w = weight.value.data
        // ∂L/∂y: the gradient given, or (through the activation) what the group's first loop
        // writes into gradInput
        let g = activation == nil ? gradOutput.data : dx
        let dw = weight.grad.data, db = bias.grad.data
        var sumG = [Double](repeating: 0, count: perGroup), sumGX = [Double](repeating: 0, count: perGroup)
        let width = Double(perGroup * positions)
        for item in 0..<n {
            for group in 0..<groups {
                let row = item * groups + group, first = group * perGroup
                let mean = statistics.mean[row], inverse = statistics.inverseStd[row]
                var meanDxhat = 0.0, meanDot = 0.0
                for k in 0..<perGroup {
                    let start = (item * channels + first + k) * positions
                    if let activation {
                        affine(x, item: item, channel: first + k, positions: positions, into: plane.data)
                        activation.backward(plane.data, gradOutput.data + start, dx + start, count: positions)
                    }
                    genlab_gradient_sums(x + start, g + start, positions, mean, inverse, &sumG[k], &sumGX[k])
                    meanDxhat += sumG[k] * Double(w[first + k])
                    meanDot += sumGX[k] * Double(w[first + k])
                    if accumulateParameterGradients {
                        dw[first + k] += Float(sumGX[k])
                        db[first + k] += Float(sumG[k])
                    }
                }
                let a = Float(meanDxhat / width), d = Float(meanDot / width)
                for k in 0..<perGroup {
                    let start = (item * channels + first + k) * positions
                    genlab_standardized_gradient(x + start, g + start, dx + start, positions, mean, inverse, w[first + k], a, d)
                }
            }
        }
        secondOrder.addPending(to: gradInput)
        return gradInput
    }

    /// The output before the activation recomputed, and `activation`'s forward run on it.
    public func separate(from activation: Layer) throws(ShapeError) {
        guard let input else { throw ShapeError("GroupNorm: separated from its activation before forward") }
        let positions = input.shape.dropFirst(2).reduce(1, *)
        preActivation.resize(to: input.shape)
        for item in 0..<input.shape[0] {
            for c in 0..<channels {
                affine(input.data, item: item, channel: c, positions: positions, into: preActivation.data + (item * channels + c) * positions)
            }
        }
        _ = try activation.forward(preActivation)
    }

    /// Weight 1, bias 0, as PyTorch initialises it (also under DCGAN's scheme, which draws
    /// BatchNorm weights only).
    public func reset(_ scheme: Initialization, generator: inout RandomGenerator) {
        weight.value.fill(1)
        bias.value.fill(0)
    }
}

extension GroupNorm: KeepsItsGradient {
    /// Per group of each item, `RowStandardization.secondOrder` with γ the group's channel
    /// weights spread over their positions (their gradients summed back per channel).
    public func backwardOfBackward(_ gradGradInput: Tensor) throws(ShapeError) -> Tensor {
        guard let input else { throw ShapeError("GroupNorm: backwardOfBackward called before forward") }
        try checkGradient(gradGradInput, matches: output)
        let g = try secondOrder.kept(typeName, shape: input.shape)
        let positions = input.shape.dropFirst(2).reduce(1, *), n = input.shape[0], perGroup = channels / groups
        let width = perGroup * positions
        let result = secondOrder.result
        result.resize(to: input.shape)
        let u = secondOrder.startPending(shape: input.shape)
        var gamma = [Float](repeating: 0, count: width), gammaGrad = [Float](repeating: 0, count: width)
        let w = weight.value.data, dw = weight.grad.data
        for item in 0..<n {
            for group in 0..<groups {
                let first = group * perGroup, start = (item * channels + first) * positions
                for k in 0..<perGroup { for p in 0..<positions { gamma[k * positions + p] = w[first + k] } }
                for i in 0..<width { gammaGrad[i] = 0 }
                statistics.secondOrder(row: item * groups + group, width: width, x: input.data + start, g: g.data + start,
                                       v: gradGradInput.data + start, gamma: gamma, gradGrad: result.data + start,
                                       gammaGrad: &gammaGrad, pending: u.data + start)
                for k in 0..<perGroup {
                    var sum: Float = 0
                    for p in 0..<positions { sum += gammaGrad[k * positions + p] }
                    dw[first + k] += sum
                }
            }
        }
        return result
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
