/// What a VAE encoder's scale head emits per latent dimension: log σ, or log σ² (the lab
/// VAE's "logvar"). Written `scale_head: log_sigma | log_variance` in experiment files.
public enum ScaleHead: String, Sendable, CaseIterable {
    case logSigma = "log_sigma"
    case logVariance = "log_variance"

    /// log σ for a head value s.
    @inline(__always)
    public func logSigma(_ s: Float) -> Float { self == .logSigma ? s : 0.5 * s }

    /// ∂ log σ / ∂ s.
    public var chain: Float { self == .logSigma ? 1 : 0.5 }
}
