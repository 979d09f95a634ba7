import CKernels
import Foundation

/// `torch.nn.ELU`: x for x > 0, α·(eˣ − 1) elsewhere.
public struct ELU: PointwiseFunction {
    public var alpha: Float
    public var typeName: String { "ELU" }
    /// ELU with α (PyTorch's default 1).
    public init(alpha: Float = 1) { self.alpha = alpha }
    public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        genlab_elu_forward(x, y, count, alpha)
    }
    public func backward(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count: Int) {
        genlab_elu_backward(x, g, dx, count, alpha)
    }
    /// 0 for x > 0, α·eˣ elsewhere.
    public func secondDerivative(_ x: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { d[i] = x[i] > 0 ? 0 : alpha * Foundation.exp(x[i]) }
    }

    /// `- elu` (α = 1) or `- elu: {alpha: 0.5}`.
    public struct Kind: LayerKind, Equatable {
        public var alpha = 1.0
        public init(alpha: Double = 1) { self.alpha = alpha }
        public static let name = "elu"

        public static func parse(_ arguments: YAMLNode?, path: String) throws(SpecError) -> Kind {
            guard let arguments else { return Kind() }
            let f = try arguments.fields(path, allowed: ["alpha"])
            return Kind(alpha: try f["alpha"]?.double(f.path("alpha"), min: 0, max: 1000) ?? 1)
        }

        public func build(input: [Int], generator: inout RandomGenerator) throws(ShapeError) -> Layer {
            Pointwise(ELU(alpha: Float(alpha)))
        }
        public func describe(input: [Int]) -> LayerDescription {
            LayerDescription("ELU", [("alpha", .double(alpha))], text: "ELU(alpha=\(alpha))")
        }
    }
}
