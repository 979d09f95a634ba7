import Foundation

/// How a decoder's output scores its target. Written `likelihood:` in experiment files.
public enum Likelihood: String, Sendable, CaseIterable {
    /// Mean squared error.
    case mse
    /// Binary cross-entropy on probabilities (the decoder ends in a sigmoid).
    case bce
    /// −log N(target; output, σx²) with a fixed or learned σx.
    case gaussian
}

/// An autoencoder's reconstruction term: one `Likelihood` with its reduction and, for the
/// Gaussian, log σx.
public struct ReconstructionLoss: Sendable {
    public var likelihood: Likelihood
    public var reduction: Reduction
    /// log σx of the Gaussian likelihood (ignored by the others).
    public var logSigmaX: Float

    public init(_ likelihood: Likelihood, reduction: Reduction, logSigmaX: Float = 0) {
        self.likelihood = likelihood
        self.reduction = reduction
        self.logSigmaX = logSigmaX
    }

    public func forward(_ output: Tensor, _ target: Tensor) throws(ShapeError) -> Float {
        switch likelihood {
        case .mse: try MSELoss(reduction: reduction).forward(output, target)
        case .bce: try BCELoss(reduction: reduction).forward(output, target)
        case .gaussian: try GaussianNLLLoss(reduction: reduction).forward(output, target, logSigmaX: logSigmaX)
        }
    }

    /// Writes scale · ∂loss/∂output into `gradOutput`; returns scale · ∂loss/∂log σx (0 but
    /// for the Gaussian).
    @discardableResult
    public func backward(_ output: Tensor, _ target: Tensor, scale: Float = 1, into gradOutput: Tensor) throws(ShapeError) -> Float {
        switch likelihood {
        case .mse:
            try MSELoss(reduction: reduction).backward(output, target, scale: scale, into: gradOutput)
            return 0
        case .bce:
            try BCELoss(reduction: reduction).backward(output, target, scale: scale, into: gradOutput)
            return 0
        case .gaussian:
            return try GaussianNLLLoss(reduction: reduction).backward(output, target, logSigmaX: logSigmaX, scale: scale, into: gradOutput)
        }
    }
}
