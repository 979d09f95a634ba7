import CKernels

/// Element-wise activations: `torch.nn.ReLU`, `LeakyReLU`, `Sigmoid`, `Tanh`.
public final class Activation: ParameterFreeLayer, InPlaceForward, BackwardInto {
    /// Which function, with its parameter.
    public enum Kind: Equatable, Sendable {
        case relu
        /// PyTorch's default slope is 0.01.
        case leakyReLU(slope: Float)
        case sigmoid
        case tanh
    }

    public let kind: Kind
    public var isTraining = true
    private let ownOutput = Tensor(zeros: [0])
    public let gradientStorage = Tensor(zeros: [0])
    /// The last output: `ownOutput`, or the input it was written over. Backward reads it.
    private var output: Tensor?
    /// The last input, kept only for LeakyReLU with a negative slope, whose backward reads its
    /// sign (with a slope of 0 or more, the output has the input's sign and is read instead).
    private var input: Tensor?
    let secondOrder = SecondOrderState()

    public init(_ kind: Kind) { self.kind = kind }

    /// Every kind but LeakyReLU with a negative slope, whose backward needs the input.
    public var runsInPlace: Bool {
        if case .leakyReLU(let slope) = kind { return slope >= 0 }
        return true
    }

    /// ReLU and LeakyReLU as the function they apply; nil for the others.
    private var function: Rectifier? {
        switch kind {
        case .relu: Rectifier(slope: 0)
        case .leakyReLU(let slope): Rectifier(slope: slope)
        case .sigmoid, .tanh: nil
        }
    }

    /// This activation as a rectifier the layer before can apply (`RectifiesItsOutput`):
    /// ReLU, and LeakyReLU with a slope of 0 or more (whose backward reads the output's sign,
    /// not the input's); nil for the others.
    public var rectifier: Rectifier? { runsInPlace ? function : nil }

    /// Keeps `output`, written already rectified by the layer before (`rectifier`), as its
    /// output for backward; returns it.
    public func forward(rectified output: Tensor) -> Tensor {
        input = nil
        self.output = output
        return output
    }

    /// dx = g where x > 0, g·slope elsewhere, eight lanes at a time (branch-free: the signs
    /// of activations are random, so a branch per element mispredicts half the time).
    private static func scaleWhereNotPositive(
        _ g: UnsafePointer<Float>, by x: UnsafePointer<Float>, slope: Float,
        into dx: UnsafeMutablePointer<Float>, count: Int
    ) {
        typealias Lanes = SIMD8<Float>
        let vectorCount = count / Lanes.scalarCount * Lanes.scalarCount
        var i = 0
        while i < vectorCount {
            let xs = UnsafeRawPointer(x + i).loadUnaligned(as: Lanes.self)
            let gs = UnsafeRawPointer(g + i).loadUnaligned(as: Lanes.self)
            let result = gs.replacing(with: gs * slope, where: xs .<= 0)
            UnsafeMutableRawPointer(dx + i).storeBytes(of: result, as: Lanes.self)
            i += Lanes.scalarCount
        }
        while i < count {
            dx[i] = x[i] > 0 ? g[i] : g[i] * slope
            i += 1
        }
    }

    public var typeName: String {
        switch kind {
        case .relu: "ReLU"
        case .leakyReLU: "LeakyReLU"
        case .sigmoid: "Sigmoid"
        case .tanh: "Tanh"
        }
    }

    public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] { inputShape }

    public func forward(_ input: Tensor) throws(ShapeError) -> Tensor {
        ownOutput.resize(to: input.shape)
        return apply(to: input, into: ownOutput)
    }

    /// The output written over `input` (see `InPlaceForward`); only when `runsInPlace`.
    public func forward(inPlace input: Tensor) throws(ShapeError) -> Tensor {
        guard runsInPlace else { throw ShapeError("\(typeName) with a negative slope cannot run in place") }
        return apply(to: input, into: input)
    }

    /// y = f(x) element by element into `output`, which may be `input`.
    private func apply(to input: Tensor, into output: Tensor) -> Tensor {
        let x = input.data, y = output.data, count = input.count
        if let r = function {
            r.apply(x, bias: nil, into: y, count: count)
        } else if kind == .sigmoid {
            genlab_sigmoid_forward(x, y, count)
        } else {
            genlab_tanh_forward(x, y, count)
        }
        self.input = runsInPlace ? nil : input
        self.output = output
        return output
    }

    /// ∂L/∂input into `gradInput`, which may be `gradOutput`; may run again for the same
    /// forward pass (see `SecondOrderLayer`).
    public func backward(_ gradOutput: Tensor, into gradInput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        guard let output else { throw ShapeError("\(typeName): backward called before forward") }
        try checkGradient(gradOutput, matches: output)
        gradInput.resize(to: output.shape)
        let g = gradOutput.data, y = output.data, dx = gradInput.data, count = output.count
        switch kind {
        case .relu:
            Activation.scaleWhereNotPositive(g, by: y, slope: 0, into: dx, count: count)
        case .leakyReLU(let slope):
            Activation.scaleWhereNotPositive(g, by: input?.data ?? y, slope: slope, into: dx, count: count)
        case .sigmoid:
            for i in 0..<count { dx[i] = g[i] * (1 - y[i]) * y[i] }
        case .tanh:
            for i in 0..<count { dx[i] = g[i] * (1 - y[i] * y[i]) }
        }
        secondOrder.addPending(to: gradInput)
        return gradInput
    }
}

extension Activation: KeepsItsGradient {
    /// As `KeepsItsGradient`'s, keeping the gradient only where the second pass reads it (not
    /// for ReLU and LeakyReLU, whose f″ is 0).
    public func backwardKeepingGradients(_ gradOutput: Tensor) throws(ShapeError) -> Tensor {
        if function == nil { secondOrder.keep(gradOutput) }
        return try backward(gradOutput, into: gradientStorage, accumulateParameterGradients: false)
    }

    /// ∂L/∂x = g·f′(x): ∂P/∂g = v·f′(x), and ∂P/∂x = g·v·f″(x) is left for the next backward
    /// (f″ = 0 for ReLU and LeakyReLU; y(1 − y)(1 − 2y) for Sigmoid, −2y(1 − y²) for Tanh).
    public func backwardOfBackward(_ gradGradInput: Tensor) throws(ShapeError) -> Tensor {
        guard let output else { throw ShapeError("\(typeName): backwardOfBackward called before forward") }
        try checkGradient(gradGradInput, matches: output)
        let result = secondOrder.result
        result.resize(to: output.shape)
        let v = gradGradInput.data, y = output.data, vy = result.data, count = output.count
        if let function {
            Activation.scaleWhereNotPositive(v, by: input?.data ?? y, slope: function.slope, into: vy, count: count)
            return result
        }
        let g = try secondOrder.kept(typeName, shape: output.shape).data
        let u = secondOrder.startPending(shape: output.shape).data
        for i in 0..<count {
            let slope = kind == .sigmoid ? y[i] * (1 - y[i]) : 1 - y[i] * y[i]
            let curvature = kind == .sigmoid ? slope * (1 - 2 * y[i]) : -2 * y[i] * slope
            vy[i] = v[i] * slope
            u[i] = g[i] * v[i] * curvature
        }
        return result
    }
}

extension Activation {
    /// `- relu`.
    public struct ReLU: BareLayerKind {
        public init() {}
        public static let name = "relu"
        public func build(input: [Int], generator: inout RandomGenerator) throws(ShapeError) -> Layer { Activation(.relu) }
        public func describe(input: [Int]) -> LayerDescription { LayerDescription("ReLU") }
    }

    /// `- leaky_relu` (slope 0.01) or `- leaky_relu: {slope: 0.2}`.
    public struct LeakyReLU: LayerKind, Equatable {
        public var slope = 0.01
        public init(slope: Double = 0.01) { self.slope = slope }
        public static let name = "leaky_relu"

        public static func parse(_ arguments: YAMLNode?, path: String) throws(SpecError) -> LeakyReLU {
            guard let arguments else { return LeakyReLU() }
            let f = try arguments.fields(path, allowed: ["slope"])
            return LeakyReLU(slope: try f["slope"]?.double(f.path("slope"), min: 0) ?? 0.01)
        }

        public func build(input: [Int], generator: inout RandomGenerator) throws(ShapeError) -> Layer {
            Activation(.leakyReLU(slope: Float(slope)))
        }
        public func describe(input: [Int]) -> LayerDescription {
            LayerDescription("LeakyReLU", [("negative_slope", .double(slope))], text: "LeakyReLU(negative_slope=\(slope))")
        }
    }

    /// `- sigmoid`.
    public struct Sigmoid: BareLayerKind {
        public init() {}
        public static let name = "sigmoid"
        public func build(input: [Int], generator: inout RandomGenerator) throws(ShapeError) -> Layer { Activation(.sigmoid) }
        public func describe(input: [Int]) -> LayerDescription { LayerDescription("Sigmoid") }
    }

    /// `- tanh`.
    public struct Tanh: BareLayerKind {
        public init() {}
        public static let name = "tanh"
        public func build(input: [Int], generator: inout RandomGenerator) throws(ShapeError) -> Layer { Activation(.tanh) }
        public func describe(input: [Int]) -> LayerDescription { LayerDescription("Tanh") }
    }
}
