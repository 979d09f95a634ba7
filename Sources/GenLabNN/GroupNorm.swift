/// `torch.nn.GroupNorm(num_groups, num_channels)`: each item's channels split into groups,
/// each group standardised over its channels and positions (no running statistics, the same
/// in training and evaluation), then scaled and shifted per channel.
public final class GroupNorm: OwnsItsResults {
    public let groups: Int
    public let channels: Int
    public let weight: Parameter
    public let bias: Parameter
    public var isTraining = true
    public var typeName: String { "GroupNorm" }
    private var standardization = RowStandardization(eps: 1e-5)
    private let xhat = Tensor(zeros: [0]), output = Tensor(zeros: [0]), gradXhat = Tensor(zeros: [0]), gradInput = Tensor(zeros: [0])

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
        let positions = input.shape.dropFirst(2).reduce(1, *), n = input.shape[0]
        xhat.resize(to: input.shape)
        output.resize(to: input.shape)
        standardization.forward(input.data, rows: n * groups, width: channels / groups * positions, into: xhat.data)
        let x = xhat.data, y = output.data, w = weight.value.data, b = bias.value.data
        for item in 0..<n {
            for c in 0..<channels {
                let start = (item * channels + c) * positions
                for s in start..<(start + positions) { y[s] = x[s] * w[c] + b[c] }
            }
        }
        return output
    }

    public func backward(_ gradOutput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        try checkGradient(gradOutput, matches: output)
        let positions = output.shape.dropFirst(2).reduce(1, *), n = output.shape[0]
        gradXhat.resize(to: output.shape)
        gradInput.resize(to: output.shape)
        let g = gradOutput.data, x = xhat.data, dxhat = gradXhat.data, w = weight.value.data
        let dw = weight.grad.data, db = bias.grad.data
        for item in 0..<n {
            for c in 0..<channels {
                let start = (item * channels + c) * positions
                var sumG: Float = 0, sumGX: Float = 0
                for s in start..<(start + positions) {
                    dxhat[s] = g[s] * w[c]
                    sumG += g[s]
                    sumGX += g[s] * x[s]
                }
                if accumulateParameterGradients {
                    dw[c] += sumGX
                    db[c] += sumG
                }
            }
        }
        standardization.backward(dxhat, xhat: x, rows: n * groups, width: channels / groups * positions, into: gradInput.data)
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
