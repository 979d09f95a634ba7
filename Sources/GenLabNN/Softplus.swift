import Foundation

/// `torch.nn.Softplus`: log(1 + e^(βx))/β, and x itself where βx > threshold.
public struct Softplus: PointwiseFunction {
    public var beta: Float
    public var threshold: Float
    public var typeName: String { "Softplus" }
    /// Softplus with β and the threshold beyond which it is linear (PyTorch's defaults 1, 20).
    public init(beta: Float = 1, threshold: Float = 20) {
        self.beta = beta
        self.threshold = threshold
    }
    public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] = x[i] * beta > threshold ? x[i] : Foundation.log1p(Foundation.exp(x[i] * beta)) / beta }
    }
    /// g·σ(βx), g beyond the threshold.
    public func backward(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { dx[i] = x[i] * beta > threshold ? g[i] : g[i] / (1 + Foundation.exp(-x[i] * beta)) }
    }
    /// β·σ(βx)·(1 − σ(βx)), 0 beyond the threshold.
    public func secondDerivative(_ x: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let s = 1 / (1 + Foundation.exp(-x[i] * beta))
            d[i] = x[i] * beta > threshold ? 0 : beta * s * (1 - s)
        }
    }

    /// `- softplus` (β = 1, threshold 20) or `- softplus: {beta: 2, threshold: 10}`.
    public struct Kind: LayerKind, Equatable {
        public var beta = 1.0, threshold = 20.0
        public init(beta: Double = 1, threshold: Double = 20) {
            self.beta = beta
            self.threshold = threshold
        }
        public static let name = "softplus"

        public static func parse(_ arguments: YAMLNode?, path: String) throws(SpecError) -> Kind {
            guard let arguments else { return Kind() }
            let f = try arguments.fields(path, allowed: ["beta", "threshold"])
            return Kind(beta: try f["beta"]?.double(f.path("beta"), exclusiveMin: 0, max: 1000) ?? 1,
                        threshold: try f["threshold"]?.double(f.path("threshold"), exclusiveMin: 0, max: 1000) ?? 20)
        }

        public func build(input: [Int], generator: inout RandomGenerator) throws(ShapeError) -> Layer {
            Pointwise(Softplus(beta: Float(beta), threshold: Float(threshold)))
        }
        public func describe(input: [Int]) -> LayerDescription {
            LayerDescription("Softplus", [("beta", .double(beta)), ("threshold", .double(threshold))],
                             text: "Softplus(beta=\(beta), threshold=\(threshold))")
        }
    }
}
