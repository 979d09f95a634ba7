import Foundation

/// KL(N(μq, σq²) ‖ N(μp, σp²)) between two diagonal Gaussians given by means and log σ,
/// per element log σp − log σq + (σq² + (μq − μp)²) / (2σp²) − ½, reduced by mean (over all
/// elements) or sum: the KL of a hierarchical VAE's lower latent against its learned prior.
public struct GaussianKLBetween: Sendable {
    public var reduction: Reduction
    public init(reduction: Reduction = .mean) { self.reduction = reduction }

    private func check(_ tensors: [Tensor]) throws(ShapeError) {
        guard let first = tensors.first, tensors.allSatisfy({ $0.shape == first.shape }) else {
            throw ShapeError("KL between Gaussians: μq, log σq, μp and log σp must have one shape, got \(tensors.map { $0.shape.shapeDescription })")
        }
    }

    public func forward(muQ: Tensor, logSigmaQ: Tensor, muP: Tensor, logSigmaP: Tensor) throws(ShapeError) -> Float {
        try check([muQ, logSigmaQ, muP, logSigmaP])
        var sum = 0.0
        for i in 0..<muQ.count {
            let d = Double(muQ[i] - muP[i])
            let varQ = Foundation.exp(2 * Double(logSigmaQ[i])), varP = Foundation.exp(2 * Double(logSigmaP[i]))
            sum += Double(logSigmaP[i] - logSigmaQ[i]) + (varQ + d * d) / (2 * varP) - 0.5
        }
        return Float(sum) * reduction.factor(of: muQ)
    }

    /// Writes factor · ∂KL/∂ of each input into the four gradient tensors.
    public func backward(muQ: Tensor, logSigmaQ: Tensor, muP: Tensor, logSigmaP: Tensor, factor: Float = 1,
                         gradMuQ: Tensor, gradLogSigmaQ: Tensor, gradMuP: Tensor, gradLogSigmaP: Tensor) throws(ShapeError) {
        try check([muQ, logSigmaQ, muP, logSigmaP])
        let c = factor * reduction.factor(of: muQ)
        for t in [gradMuQ, gradLogSigmaQ, gradMuP, gradLogSigmaP] { t.resize(to: muQ.shape) }
        for i in 0..<muQ.count {
            let d = muQ[i] - muP[i]
            let varQ = Foundation.exp(2 * logSigmaQ[i]), invVarP = Foundation.exp(-2 * logSigmaP[i])
            gradMuQ[i] = c * d * invVarP
            gradMuP[i] = -c * d * invVarP
            gradLogSigmaQ[i] = c * (varQ * invVarP - 1)
            gradLogSigmaP[i] = c * (1 - (varQ + d * d) * invVarP)
        }
    }
}
