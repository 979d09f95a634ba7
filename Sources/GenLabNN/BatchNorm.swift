import CKernels
/// `torch.nn.BatchNorm1d` ((N, C) or (N, C, L) inputs) and `torch.nn.BatchNorm2d`
/// ((N, C, H, W) inputs): per-channel normalisation over the batch and spatial positions.
///
/// Training uses the batch mean and biased variance and updates the running statistics
/// with momentum (running_var from the *unbiased* variance) and `num_batches_tracked`;
/// evaluation uses the running statistics.
public final class BatchNorm: OwnsItsResults, BackwardInto {
    /// Which PyTorch module this is: 1 for BatchNorm1d, 2 for BatchNorm2d.
    public let dimensions: Int
    public let features: Int
    public let eps: Float
    public let momentum: Float
    public let weight: Parameter
    public let bias: Parameter
    public let runningMean: Tensor
    public let runningVar: Tensor
    /// How many training batches have updated the running statistics.
    public let batchesTracked = Counter()
    public var numBatchesTracked: Int {
        get { batchesTracked.value }
        set { batchesTracked.value = newValue }
    }
    public var isTraining = true
    public var typeName: String { "BatchNorm\(dimensions)d" }

    private let output = Tensor(zeros: [0])
    public let gradientStorage = Tensor(zeros: [0])
    /// The last input (owned by the layer before, unchanged until backward), from which
    /// backward recomputes x̂ rather than keeping a copy of it.
    private var input: Tensor?
    /// The mean per channel of the statistics the last forward pass used.
    private let mean: Tensor
    /// 1/√(var + eps) per channel, of the statistics the last forward pass used.
    private let inverseStd: Tensor
    private var usedBatchStatistics = false

    public init(dimensions: Int, features: Int, eps: Float = 1e-5, momentum: Float = 0.1) {
        self.dimensions = dimensions
        self.features = features
        self.eps = eps
        self.momentum = momentum
        weight = Parameter(shape: [features])
        weight.value.fill(1)
        bias = Parameter(shape: [features])
        runningMean = Tensor(zeros: [features])
        runningVar = Tensor(repeating: 1, shape: [features])
        mean = Tensor(zeros: [features])
        inverseStd = Tensor(zeros: [features])
    }

    public var parameters: [NamedParameter] { [("weight", weight), ("bias", bias)] }
    public var buffers: [NamedBuffer] { [("running_mean", runningMean), ("running_var", runningVar)] }
    public var counters: [NamedCounter] { [("num_batches_tracked", batchesTracked)] }

    public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
        let ranks = dimensions == 1 ? [2, 3] : [4]
        guard ranks.contains(inputShape.count), inputShape[1] == features else {
            throw ShapeError("\(typeName)(\(features)) expects \(dimensions == 1 ? "(N, \(features)) or (N, \(features), L)" : "(N, \(features), H, W)") inputs but receives \(inputShape.dropFirst().map { $0 }.shapeDescription)")
        }
        return inputShape
    }

    public func forward(_ input: Tensor) throws(ShapeError) -> Tensor {
        _ = try outputShape(for: input.shape)
        let n = input.shape[0], plane = input.shape.dropFirst(2).reduce(1, *)
        let m = n * plane
        if isTraining && m <= 1 {
            throw ShapeError("\(typeName) needs more than one value per channel in training, got input \(input.shape.shapeDescription)")
        }
        output.resize(to: input.shape)
        usedBatchStatistics = isTraining
        if isTraining {
            var means = [Double](repeating: 0, count: features), squares = [Double](repeating: 0, count: features)
            means.withUnsafeMutableBufferPointer { means in
                squares.withUnsafeMutableBufferPointer { squares in
                    forEachChannelPart(values: m) { first, count in
                        genlab_batchnorm_moments(input.data, n, features, plane, first, count, means.baseAddress, squares.baseAddress)
                    }
                }
            }
            for c in 0..<features {
                mean[c] = Float(means[c])
                inverseStd[c] = Float(1.0 / (squares[c] / Double(m) + Double(eps)).squareRoot())
                runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mean[c]
                runningVar[c] = (1 - momentum) * runningVar[c] + momentum * Float(squares[c] / Double(m - 1))
            }
        } else {
            for c in 0..<features {
                mean[c] = runningMean[c]
                inverseStd[c] = 1 / (runningVar[c] + eps).squareRoot()
            }
        }
        forEachChannelPart(values: m) { first, count in
            genlab_batchnorm_normalize(input.data, n, features, plane, first, count, mean.data, inverseStd.data,
                                       weight.value.data, bias.value.data, output.data)
        }
        if isTraining { numBatchesTracked += 1 }
        self.input = input
        return output
    }

    /// ∂L/∂input into `gradInput`, which may be `gradOutput`.
    public func backward(_ gradOutput: Tensor, into gradInput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        guard let input else { throw ShapeError("\(typeName): backward called before forward") }
        try checkGradient(gradOutput, matches: output)
        let shape = output.shape
        let n = shape[0], plane = shape.dropFirst(2).reduce(1, *)
        let m = Float(n * plane)
        gradInput.resize(to: shape)
        var sums = [Double](repeating: 0, count: features), products = [Double](repeating: 0, count: features)
        sums.withUnsafeMutableBufferPointer { sums in
            products.withUnsafeMutableBufferPointer { products in
                forEachChannelPart(values: n * plane) { first, count in
                    genlab_batchnorm_gradient_sums(gradOutput.data, input.data, n, features, plane, first, count, mean.data,
                                                   inverseStd.data, sums.baseAddress, products.baseAddress)
                }
            }
        }
        var scale = [Float](repeating: 0, count: features)
        var meanG = [Float](repeating: 0, count: features), meanProduct = [Float](repeating: 0, count: features)
        for c in 0..<features {
            if accumulateParameterGradients {
                weight.grad[c] += Float(products[c])
                bias.grad[c] += Float(sums[c])
            }
            scale[c] = weight.value[c] * inverseStd[c]
            // ∂x = γ/σ · (g − mean(g) − x̂ · mean(g·x̂)) with batch statistics, else γ/σ · g
            if usedBatchStatistics {
                meanG[c] = Float(sums[c]) / m
                meanProduct[c] = Float(products[c]) / m
            }
        }
        scale.withUnsafeBufferPointer { scale in
            meanG.withUnsafeBufferPointer { meanG in
                meanProduct.withUnsafeBufferPointer { meanProduct in
                    forEachChannelPart(values: n * plane) { first, count in
                        genlab_batchnorm_input_gradient(gradOutput.data, input.data, n, features, plane, first, count, mean.data,
                                                        inverseStd.data, scale.baseAddress, meanG.baseAddress, meanProduct.baseAddress,
                                                        gradInput.data)
                    }
                }
            }
        }
        self.input = nil
        return gradInput
    }

    /// The channels cut among the threads (`ParallelRanges`), each part with at least 2¹⁵
    /// values when a channel has `values` of them; every channel is computed as on one thread.
    private func forEachChannelPart(values: Int, _ body: (_ first: Int, _ count: Int) -> Void) {
        ParallelRanges.forEach(features, minimum: max(1, (1 << 15) / max(values, 1))) { part in body(part.lowerBound, part.count) }
    }
}

extension BatchNorm {
    /// `- batchnorm`: BatchNorm1d on F or C×L inputs, BatchNorm2d on C×H×W inputs.
    public struct Kind: BareLayerKind {
        public init() {}
        public static let name = "batchnorm"

        public func parameterCount(input: [Int]) -> Int? { 2 * (input.first ?? 0) }

        /// The input's shape (checked when built).
        public func outputShape(input: [Int]) throws(ShapeError) -> [Int] { input }

        public func build(input: [Int], generator: inout RandomGenerator) throws(ShapeError) -> Layer {
            guard (1...3).contains(input.count) else {
                throw ShapeError("batchnorm needs F, C×L or C×H×W inputs, but its input is \(input.shapeDescription)")
            }
            return BatchNorm(dimensions: input.count == 3 ? 2 : 1, features: input[0])
        }

        public func describe(input: [Int]) -> LayerDescription {
            let module = "BatchNorm\(input.count == 3 ? 2 : 1)d"
            return LayerDescription(module, [("num_features", .int(input[0])), ("eps", .double(1e-5)), ("momentum", .double(0.1)),
                                             ("affine", .bool(true)), ("track_running_stats", .bool(true))],
                                    text: "\(module)(\(input[0]))")
        }
    }

    /// Weight 1 (DCGAN: N(1, 0.02)) and bias 0.
    public func reset(_ scheme: Initialization, generator: inout RandomGenerator) {
        bias.value.fill(0)
        if scheme == .dcgan {
            generator.fillNormal(weight.value.buffer, mean: 1, std: 0.02)
        } else {
            weight.value.fill(1)
        }
    }
}
