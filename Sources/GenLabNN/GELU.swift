import CKernels
import Foundation

/// `torch.nn.GELU()` (exact): x·Φ(x), Φ the standard normal CDF, ½(1 + erf(x/√2)).
public struct GELU: PointwiseFunction {
    public var typeName: String { "GELU" }
    public init() {}
    public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        genlab_gelu_forward(x, y, count)
    }
    /// g·(Φ(x) + x·φ(x)).
    public func backward(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count: Int) {
        genlab_gelu_backward(x, g, dx, count)
    }
    /// φ(x)·(2 − x²), φ the standard normal density.
    public func secondDerivative(_ x: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, count: Int) {
        let scale = 1 / (2 * Float.pi).squareRoot()
        for i in 0..<count { d[i] = scale * Foundation.exp(-x[i] * x[i] / 2) * (2 - x[i] * x[i]) }
    }

    /// `- gelu`.
    public struct Kind: BareLayerKind {
        public init() {}
        public static let name = "gelu"
        public func build(input: [Int], generator: inout RandomGenerator) throws(ShapeError) -> Layer { Pointwise(GELU()) }
        public func describe(input: [Int]) -> LayerDescription {
            LayerDescription("GELU", [("approximate", .string("none"))], text: "GELU(approximate='none')")
        }
    }
}
