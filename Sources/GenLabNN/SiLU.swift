import Foundation

/// `torch.nn.SiLU` (swish): x·σ(x).
public struct SiLU: PointwiseFunction {
    public var typeName: String { "SiLU" }
    public func value(_ x: Float) -> Float { x / (1 + Foundation.exp(-x)) }
    /// σ(x)·(1 + x·(1 − σ(x))).
    public func derivative(_ x: Float, _ y: Float) -> Float {
        let s = 1 / (1 + Foundation.exp(-x))
        return s * (1 + x * (1 - s))
    }

    /// `- silu`.
    public struct Kind: BareLayerKind {
        public init() {}
        public static let name = "silu"
        public func build(input: [Int], generator: inout RandomGenerator) throws(ShapeError) -> Layer { Pointwise(SiLU()) }
        public func describe(input: [Int]) -> LayerDescription { LayerDescription("SiLU") }
    }
}
