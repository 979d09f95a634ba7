import Foundation

/// `torch.nn.GELU()` (exact): x·Φ(x), Φ the standard normal CDF, ½(1 + erf(x/√2)).
public struct GELU: PointwiseFunction {
    public var typeName: String { "GELU" }
    public func value(_ x: Float) -> Float { x * 0.5 * (1 + Foundation.erf(x * Float(0.5).squareRoot())) }
    /// Φ(x) + x·φ(x).
    public func derivative(_ x: Float, _ y: Float) -> Float {
        let cdf = 0.5 * (1 + Foundation.erf(x * Float(0.5).squareRoot()))
        let density = Foundation.exp(-0.5 * x * x) / Float(2 * Float.pi).squareRoot()
        return cdf + x * density
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
