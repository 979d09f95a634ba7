import CKernels

/// `torch.nn.SiLU` (swish): x·σ(x); f′(x) = σ(x)·(1 + x·(1 − σ(x))).
public struct SiLU: PointwiseFunction {
    public var typeName: String { "SiLU" }
    public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        genlab_silu_forward(x, y, count)
    }
    public func backward(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count: Int) {
        genlab_silu_backward(x, g, dx, count)
    }

    /// `- silu`.
    public struct Kind: BareLayerKind {
        public init() {}
        public static let name = "silu"
        public func build(input: [Int], generator: inout RandomGenerator) throws(ShapeError) -> Layer { Pointwise(SiLU()) }
        public func describe(input: [Int]) -> LayerDescription { LayerDescription("SiLU") }
    }
}
