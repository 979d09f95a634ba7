import CKernels
import Foundation

/// `torch.nn.SiLU` (swish): x·σ(x); f′(x) = σ(x)·(1 + x·(1 − σ(x))).
public struct SiLU: PointwiseFunction {
    public var typeName: String { "SiLU" }
    public init() {}
    public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        genlab_silu_forward(x, y, count)
    }
    public func backward(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count: Int) {
        genlab_silu_backward(x, g, dx, count)
    }
    /// σ(x)·(1 − σ(x))·(2 + x·(1 − 2σ(x))).
    public func secondDerivative(_ x: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let s = 1 / (1 + Foundation.exp(-x[i]))
            d[i] = s * (1 - s) * (2 + x[i] * (1 - 2 * s))
        }
    }

    /// `- silu`.
    public struct Kind: BareLayerKind {
        public init() {}
        public static let name = "silu"
        public func build(input: [Int], generator: inout RandomGenerator) throws(ShapeError) -> Layer { Pointwise(SiLU()) }
        public func describe(input: [Int]) -> LayerDescription { LayerDescription("SiLU") }
    }
}
