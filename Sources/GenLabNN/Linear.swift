import CKernels

/// `torch.nn.Linear`: y = x·Wᵀ + b on (N, in) inputs; weight (out, in), bias (out).
public final class Linear: WeightedLayer, OwnsItsResults, MultipliesMatrices {
    public let inFeatures: Int
    public let outFeatures: Int
    public let weight: Parameter
    public let bias: Parameter?
    public var isTraining = true
    /// What its matrix products multiply (fp32 unless the model is trained in bf16).
    public var precision = Precision.fp32
    public var typeName: String { "Linear" }

    private let output = Tensor(zeros: [0])
    private let gradInput = Tensor(zeros: [0])
    private var input: Tensor?
    let secondOrder = SecondOrderState()

    public init(inFeatures: Int, outFeatures: Int, bias: Bool = true) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = Parameter(shape: [outFeatures, inFeatures])
        self.bias = bias ? Parameter(shape: [outFeatures]) : nil
    }

    public var parameters: [NamedParameter] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
        guard inputShape.count == 2, inputShape[1] == inFeatures else {
            throw ShapeError("Linear(\(inFeatures)→\(outFeatures)) expects inputs of \(inFeatures) features but receives \(inputShape.dropFirst().map { $0 }.shapeDescription)")
        }
        return [inputShape[0], outFeatures]
    }

    public func forward(_ input: Tensor) throws(ShapeError) -> Tensor {
        output.resize(to: try outputShape(for: input.shape))
        let n = input.shape[0]
        if let bias {
            for row in 0..<n { (output.data + row * outFeatures).update(from: bias.value.data, count: outFeatures) }
        }
        BLAS.gemm(transB: true, m: n, n: outFeatures, k: inFeatures,
                  a: input.data, lda: inFeatures, b: weight.value.data, ldb: inFeatures,
                  beta: bias == nil ? 0 : 1, c: output.data, ldc: outFeatures, precision: precision)
        self.input = input
        return output
    }

    public func backward(_ gradOutput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        guard let input else { throw ShapeError("Linear: backward called before forward") }
        try checkGradient(gradOutput, matches: output)
        let n = input.shape[0]
        if accumulateParameterGradients {
            BLAS.gemm(transA: true, m: outFeatures, n: inFeatures, k: n,
                      a: gradOutput.data, lda: outFeatures, b: input.data, ldb: inFeatures,
                      beta: 1, c: weight.grad.data, ldc: inFeatures, precision: precision)
            if let bias { genlab_accumulate_column_sums(gradOutput.data, n, outFeatures, bias.grad.data) }
        }
        gradInput.resize(to: input.shape)
        BLAS.gemm(m: n, n: inFeatures, k: outFeatures,
                  a: gradOutput.data, lda: outFeatures, b: weight.value.data, ldb: inFeatures,
                  beta: 0, c: gradInput.data, ldc: inFeatures, precision: precision)
        return gradInput
    }
}

extension Linear: KeepsItsGradient {
    /// ∂L/∂x = g·W is linear in g and W: ∂P/∂g = v·Wᵀ, ∂P/∂W += gᵀ·v.
    public func backwardOfBackward(_ gradGradInput: Tensor) throws(ShapeError) -> Tensor {
        guard let input, gradGradInput.shape == input.shape else {
            throw ShapeError("Linear: backwardOfBackward needs a gradient of its input's shape")
        }
        let g = try secondOrder.kept(typeName, shape: output.shape), n = input.shape[0], v = gradGradInput
        BLAS.gemm(transA: true, m: outFeatures, n: inFeatures, k: n, a: g.data, lda: outFeatures, b: v.data, ldb: inFeatures,
                  beta: 1, c: weight.grad.data, ldc: inFeatures, precision: precision)
        secondOrder.result.resize(to: output.shape)
        BLAS.gemm(transB: true, m: n, n: outFeatures, k: inFeatures, a: v.data, lda: inFeatures, b: weight.value.data,
                  ldb: inFeatures, beta: 0, c: secondOrder.result.data, ldc: outFeatures, precision: precision)
        return secondOrder.result
    }
}

extension Linear {
    /// `- linear: {out: 128, bias: true, spectral_norm: false}`; in-features come from the
    /// input, which must be flat.
    public struct Kind: LayerKind, Equatable {
        public var out: Int
        public var bias = true
        /// Wrapped in `spectral_norm`.
        public var spectralNorm = false

        public init(out: Int, bias: Bool = true, spectralNorm: Bool = false) {
            self.out = out
            self.bias = bias
            self.spectralNorm = spectralNorm
        }

        public static let name = "linear"
        public static let example: String? = "'linear: {out: 128}'"

        public static func parse(_ arguments: YAMLNode?, path: String) throws(SpecError) -> Kind {
            let f = try arguments!.fields(path, allowed: ["out", "bias", "spectral_norm"])
            return Kind(out: try f.required("out").int(f.path("out"), min: 1, max: maxLayerSize),
                        bias: try f["bias"]?.bool(f.path("bias")) ?? true,
                        spectralNorm: try f["spectral_norm"]?.bool(f.path("spectral_norm")) ?? false)
        }

        public func parameterCount(input: [Int]) -> Int? {
            Tensor.checkedElementCount([input.first ?? 0, out]).map { $0 + (bias ? out : 0) }
        }

        public func outputShape(input: [Int]) throws(ShapeError) -> [Int] {
            try require(rank: 1, input, "linear needs flat inputs (add 'flatten' before it)")
            return [out]
        }

        public func build(input: [Int], generator: inout RandomGenerator) throws(ShapeError) -> Layer {
            try require(rank: 1, input, "linear needs flat inputs (add 'flatten' before it)")
            let linear = Linear(inFeatures: input[0], outFeatures: out, bias: bias)
            return spectralNorm ? SpectralNorm(linear, generator: &generator) : linear
        }

        public func describe(input: [Int]) -> LayerDescription {
            LayerDescription("Linear", [("in_features", .int(input[0])), ("out_features", .int(out)), ("bias", .bool(bias))],
                             spectralNorm: spectralNorm,
                             text: "Linear(in_features=\(input[0]), out_features=\(out), bias=\(bias ? "True" : "False"))")
        }

        /// Back to the input's features.
        public func mirror(input: [Int], output: [Int]) throws(ShapeError) -> [any LayerKind] {
            [Kind(out: input[0], bias: bias)]
        }
    }

    public func reset(_ scheme: Initialization, generator: inout RandomGenerator) {
        scheme.draw(weight: weight, bias: bias, convolution: false, generator: &generator)
    }
}
