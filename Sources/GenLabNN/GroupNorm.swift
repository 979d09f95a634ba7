import CKernels

/// `torch.nn.GroupNorm(num_groups, num_channels)`: each item's channels split into groups,
/// each group standardised over its channels and positions (no running statistics, the same
/// in training and evaluation), then scaled and shifted per channel. Backward recomputes x̂
/// from the input (as BatchNorm does) and may write over the gradient it is given; so it
/// applies the smooth activations next to it itself (`AppliesActivations`), a group or a
/// channel at a time.
public final class GroupNorm: AppliesActivations {
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
    /// One group of the input through the activation before the layer, recomputed.
    private let activated = Tensor(zeros: [0])
    /// One channel's output before the activation after the layer, recomputed.
    private let plane = Tensor(zeros: [0])
    /// The output before the activation after the layer, for that activation's own passes
    /// (`separate`).
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
        try forward(input, before: nil, after: nil)
    }

    /// Per group of each item: its values (through `before` when given), their statistics,
    /// then each channel scaled and shifted into `output`, or into `plane` and from there
    /// through `after` into `output`.
    public func forward(_ input: Tensor, before: (any PointwiseFunction)?, after: (any PointwiseFunction)?) throws(ShapeError) -> Tensor {
        _ = try outputShape(for: input.shape)
        let positions = input.shape.dropFirst(2).reduce(1, *), perGroup = channels / groups, width = perGroup * positions
        output.resize(to: input.shape)
        plane.resize(to: [positions])
        activated.resize(to: [before == nil ? 0 : width])
        statistics.reset(rows: input.shape[0] * groups)
        for row in 0..<(input.shape[0] * groups) {
            let x = values(input.data + row * width, through: before, count: width)
            statistics.measure(row: row, x, width: width)
            for k in 0..<perGroup {
                let channel = row % groups * perGroup + k, y = output.data + row * width + k * positions
                guard let after else {
                    affine(x + k * positions, row: row, channel: channel, count: positions, into: y)
                    continue
                }
                affine(x + k * positions, row: row, channel: channel, count: positions, into: plane.data)
                after.forward(plane.data, y, count: positions)
            }
        }
        self.input = input
        return output
    }

    /// `count` values of the input as the layer reads them: through `before` into `activated`,
    /// or the input itself.
    private func values(_ x: UnsafePointer<Float>, through before: (any PointwiseFunction)?, count: Int) -> UnsafePointer<Float> {
        guard let before else { return x }
        before.forward(x, activated.data, count: count)
        return UnsafePointer(activated.data)
    }

    /// One channel of one group's values (statistics row `row`), standardised, scaled and
    /// shifted: the output before any activation, the same bits in forward and backward.
    private func affine(_ x: UnsafePointer<Float>, row: Int, channel c: Int, count: Int, into y: UnsafeMutablePointer<Float>) {
        let scale = statistics.inverseStd[row] * weight.value.data[c], shift = bias.value.data[c] - statistics.mean[row] * scale
        for i in 0..<count { y[i] = x[i] * scale + shift }
    }

    /// ∂L/∂x = (1/σ)·(∂x̂ − mean(∂x̂) − x̂·mean(∂x̂ ⊙ x̂)) per group, ∂x̂ = ∂L/∂y·w, into
    /// `gradInput` (which may be `gradOutput`: each value is read before it is written); may
    /// run again for the same forward pass (see `SecondOrderLayer`).
    public func backward(_ gradOutput: Tensor, into gradInput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        try backward(gradOutput, before: nil, after: nil, into: gradInput, accumulateParameterGradients: accumulateParameterGradients)
    }

    /// As above, through the activations when given, per group: ∂L/∂y = ∂L/∂output · f′(y)
    /// into `gradInput` (y recomputed one channel at a time), the group's values recomputed
    /// through `before`, and at the end ∂L/∂input = ∂L/∂x · f′(input).
    public func backward(_ gradOutput: Tensor, before: (any PointwiseFunction)?, after: (any PointwiseFunction)?, into gradInput: Tensor,
                         accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        guard let input else { throw ShapeError("GroupNorm: backward called before forward") }
        try checkGradient(gradOutput, matches: output)
        let positions = input.shape.dropFirst(2).reduce(1, *), perGroup = channels / groups, width = perGroup * positions
        gradInput.resize(to: input.shape)
        plane.resize(to: [positions])
        activated.resize(to: [before == nil ? 0 : width])
        let w = weight.value.data, dw = weight.grad.data, db = bias.grad.data
        var sumG = [Double](repeating: 0, count: perGroup), sumGX = [Double](repeating: 0, count: perGroup)
        for row in 0..<(input.shape[0] * groups) {
            let start = row * width, first = row % groups * perGroup
            let x = values(input.data + start, through: before, count: width), dx = gradInput.data + start
            // ∂L/∂y: the gradient given, or (through `after`) what the first loop writes into dx
            let g = after == nil ? UnsafePointer(gradOutput.data + start) : UnsafePointer(dx)
            let mean = statistics.mean[row], inverse = statistics.inverseStd[row]
            var meanDxhat = 0.0, meanDot = 0.0
            for k in 0..<perGroup {
                let offset = k * positions
                if let after {
                    affine(x + offset, row: row, channel: first + k, count: positions, into: plane.data)
                    after.backward(plane.data, gradOutput.data + start + offset, dx + offset, count: positions)
                }
                genlab_gradient_sums(x + offset, g + offset, positions, mean, inverse, &sumG[k], &sumGX[k])
                meanDxhat += sumG[k] * Double(w[first + k])
                meanDot += sumGX[k] * Double(w[first + k])
                if accumulateParameterGradients {
                    dw[first + k] += Float(sumGX[k])
                    db[first + k] += Float(sumG[k])
                }
            }
            let a = Float(meanDxhat / Double(width)), d = Float(meanDot / Double(width))
            for k in 0..<perGroup {
                let offset = k * positions
                genlab_standardized_gradient(x + offset, g + offset, dx + offset, positions, mean, inverse, w[first + k], a, d)
            }
            before?.backward(input.data + start, dx, dx, count: width)
        }
        secondOrder.addPending(to: gradInput)
        return gradInput
    }

    /// The activations' forward passes run on what the layer computed them from: `before`'s
    /// on the input, whose output becomes the layer's input from here on (the statistics
    /// were measured on those values), and `after`'s on the output before it, recomputed.
    public func separate(before: Layer?, after: Layer?) throws(ShapeError) {
        guard var input else { throw ShapeError("GroupNorm: separated from its activations before forward") }
        if let before {
            input = try before.forward(input)
            self.input = input
        }
        guard let after else { return }
        let positions = input.shape.dropFirst(2).reduce(1, *), perGroup = channels / groups
        preActivation.resize(to: input.shape)
        for row in 0..<(input.shape[0] * groups) {
            for k in 0..<perGroup {
                let offset = (row * perGroup + k) * positions
                affine(input.data + offset, row: row, channel: row % groups * perGroup + k, count: positions, into: preActivation.data + offset)
            }
        }
        _ = try after.forward(preActivation)
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
