/// `torch.nn.utils.spectral_norm` around a Linear or Conv2d: the wrapped layer computes with
/// W = W_orig / σ, σ estimated by one power iteration per training forward on W_orig viewed
/// as (out, rest), with u and v kept as buffers (`weight_u`, `weight_v`).
///
/// As in PyTorch, u and v are constants for the gradient: ∂L/∂W_orig =
/// (∂L/∂W − ⟨∂L/∂W, W⟩·u vᵀ) / σ.
public final class SpectralNorm: ContainsLayers {
    /// The wrapped layer; its `weight` holds W_orig / σ of the last forward pass.
    public let module: WeightedLayer
    public let weightOrig: Parameter
    public let u: Tensor
    public let v: Tensor
    public let eps: Float
    /// σ of the last forward pass.
    public private(set) var sigma: Float = 1
    private let wv: Tensor

    public var typeName: String { module.typeName }
    public var sublayers: [Layer] { [module] }
    public var isTraining: Bool {
        get { module.isTraining }
        set { module.isTraining = newValue }
    }

    /// Wraps `module`, taking its current weight as W_orig and drawing u and v from
    /// N(0, 1), normalised, as PyTorch does.
    public init(_ module: WeightedLayer, generator: inout RandomGenerator, eps: Float = 1e-12) {
        self.module = module
        self.eps = eps
        weightOrig = Parameter(shape: module.weight.value.shape)
        weightOrig.value.copy(from: module.weight.value)
        let rows = module.weight.value.shape[0]
        u = Tensor(zeros: [rows])
        v = Tensor(zeros: [module.weight.value.count / rows])
        wv = Tensor(zeros: [rows])
        generator.fillNormal(u.buffer)
        generator.fillNormal(v.buffer)
        SpectralNorm.normalize(u, eps: eps)
        SpectralNorm.normalize(v, eps: eps)
    }

    public var parameters: [NamedParameter] {
        (module.bias.map { [("bias", $0)] } ?? []) + [("weight_orig", weightOrig)]
    }
    public var buffers: [NamedBuffer] { [("weight_u", u), ("weight_v", v)] }

    /// Draws W_orig and the bias as the wrapped layer's own (u and v were drawn when wrapping).
    public func reset(_ scheme: Initialization, generator: inout RandomGenerator) {
        scheme.draw(weight: weightOrig, bias: module.bias, convolution: module is Conv2d, generator: &generator)
    }

    private var rows: Int { u.count }
    private var columns: Int { v.count }

    private static func normalize(_ t: Tensor, eps: Float) {
        var squares: Float = 0
        for i in 0..<t.count { squares += t[i] * t[i] }
        let scale = 1 / Swift.max(squares.squareRoot(), eps)
        for i in 0..<t.count { t[i] *= scale }
    }

    /// Runs the power iteration (in training) and sets the wrapped weight to W_orig / σ.
    private func updateWeight() {
        let w = UnsafePointer(weightOrig.value.data)
        if isTraining {
            BLAS.gemv(trans: true, rows: rows, cols: columns, a: w, lda: columns, x: u.data, beta: 0, y: v.data)
            SpectralNorm.normalize(v, eps: eps)
            BLAS.gemv(rows: rows, cols: columns, a: w, lda: columns, x: v.data, beta: 0, y: u.data)
            SpectralNorm.normalize(u, eps: eps)
        }
        BLAS.gemv(rows: rows, cols: columns, a: w, lda: columns, x: v.data, beta: 0, y: wv.data)
        var s: Float = 0
        for i in 0..<rows { s += u[i] * wv[i] }
        sigma = s
        let target = module.weight.value.data
        for i in 0..<weightOrig.value.count { target[i] = w[i] / s }
    }

    public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
        try module.outputShape(for: inputShape)
    }

    public func forward(_ input: Tensor) throws(ShapeError) -> Tensor {
        _ = try module.outputShape(for: input.shape)
        updateWeight()
        return try module.forward(input)
    }

    public func backward(_ gradOutput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        guard accumulateParameterGradients else {
            return try module.backward(gradOutput, accumulateParameterGradients: false)
        }
        module.weight.grad.fill(0)
        let gradInput = try module.backward(gradOutput, accumulateParameterGradients: true)
        addOriginalWeightGradient()
        return gradInput
    }

    /// Adds ∂/∂W_orig of the wrapped layer's weight gradient (∂/∂W) to W_orig's.
    private func addOriginalWeightGradient() {
        let gradW = module.weight.grad
        let g = gradW.data, w = weightOrig.value.data, dw = weightOrig.grad.data
        var inner: Float = 0
        for i in 0..<gradW.count { inner += g[i] * w[i] }
        let correction = inner / (sigma * sigma)
        for r in 0..<rows {
            let ur = u[r] * correction
            for c in 0..<columns {
                let i = r * columns + c
                dw[i] += g[i] / sigma - ur * v[c]
            }
        }
    }
}

extension SpectralNorm: SecondOrderLayer {
    public func backwardKeepingGradients(_ gradOutput: Tensor) throws(ShapeError) -> Tensor {
        try secondOrderModule.backwardKeepingGradients(gradOutput)
    }

    /// The wrapped layer's, its ∂P/∂W carried to W_orig as in backward.
    public func backwardOfBackward(_ gradGradInput: Tensor) throws(ShapeError) -> Tensor {
        module.weight.grad.fill(0)
        let result = try secondOrderModule.backwardOfBackward(gradGradInput)
        addOriginalWeightGradient()
        return result
    }

    private var secondOrderModule: SecondOrderLayer {
        get throws(ShapeError) {
            guard let module = module as? SecondOrderLayer else { throw ShapeError("\(typeName) has no second-order pass") }
            return module
        }
    }
}
