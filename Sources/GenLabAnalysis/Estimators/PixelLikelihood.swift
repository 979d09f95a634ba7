import Foundation
import GenLabModels
import GenLabNN
import GenLabSpec
import GenLabTensor

/// log p(x | z) of whole images under an autoencoder's likelihood, in the normalised space
/// the model was trained on, summed over each image's elements: a Gaussian N(x; x̂, σx²)
/// (½·log 2π included; `mse` read as σx = 1) or a Bernoulli Σ x·log x̂ + (1 − x)·log(1 − x̂)
/// (exact for binary pixels; for grey levels the notebooks' unnormalised "continuous"
/// reading, logs clamped at −100 as PyTorch's BCE).
public struct PixelLikelihood {
    public let loss: ReconstructionLoss
    /// What it assumes, for the records.
    public let description: String

    /// The likelihood `model` was trained with (its fixed or learned σx).
    public init(_ model: BuiltModel) {
        let trained = model.reconstructionLoss
        switch trained.likelihood {
        case .bce:
            loss = ReconstructionLoss(.bce, reduction: .sum)
            description = "Bernoulli: Σ x·log x̂ + (1 − x)·log(1 − x̂) (BCE; exact for binary pixels, unnormalised for grey levels)"
        case .mse, .gaussian:
            let logSigma = trained.likelihood == .mse ? 0 : trained.logSigmaX
            loss = ReconstructionLoss(.gaussian, reduction: .sum, logSigmaX: logSigma)
            description = "Gaussian N(x; x̂, σx²) with σx = \(Foundation.exp(Double(logSigma)))\(trained.likelihood == .mse ? " (the model trained with MSE: σx = 1)" : ""), ½·log 2π included"
        }
    }

    /// A Gaussian with a given σx.
    public init(sigmaX: Double) {
        loss = ReconstructionLoss(.gaussian, reduction: .sum, logSigmaX: Float(Foundation.log(sigmaX)))
        description = "Gaussian N(x; x̂, σx²) with σx = \(sigmaX), ½·log 2π included"
    }

    /// log p(x | z) of each row of `decoded` against its target: row r is scored against
    /// image r mod N of `targets` (N images), as sample-major draws of z are laid out.
    public func logLikelihood(_ decoded: Tensor, _ targets: Tensor) throws(ShapeError) -> [Double] {
        let n = targets.shape.first ?? 0, size = n > 0 ? targets.count / n : 0
        guard n > 0, decoded.count % (n * size) == 0, Array(decoded.shape.dropFirst()) == Array(targets.shape.dropFirst()) else {
            throw ShapeError("log-likelihood: \(decoded.shape.shapeDescription) against \(targets.shape.shapeDescription)")
        }
        let rowShape = [1] + targets.shape.dropFirst()
        let output = Tensor(zeros: rowShape), target = Tensor(zeros: rowShape)
        return try (0..<(decoded.count / size)).map { (row: Int) throws(ShapeError) -> Double in
            output.data.update(from: decoded.data + row * size, count: size)
            target.data.update(from: targets.data + (row % n) * size, count: size)
            return -Double(try loss.forward(output, target))
        }
    }

    /// scale · ∂(−Σ_rows log p(x|z))/∂decoded, rows scored against the targets as in
    /// `logLikelihood`.
    public func gradient(_ decoded: Tensor, _ targets: Tensor, scale: Float) throws(ShapeError) -> Tensor {
        guard targets.count > 0, decoded.count % targets.count == 0 else {
            throw ShapeError("log-likelihood: \(decoded.shape.shapeDescription) against \(targets.shape.shapeDescription)")
        }
        let repeated = Tensor(zeros: decoded.shape), grad = Tensor(zeros: [0])
        for start in stride(from: 0, to: decoded.count, by: targets.count) {
            (repeated.data + start).update(from: targets.data, count: targets.count)
        }
        try loss.backward(decoded, repeated, scale: scale, into: grad)
        return grad
    }
}
