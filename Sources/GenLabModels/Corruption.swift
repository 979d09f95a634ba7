import GenLabNN
import GenLabSpec

extension AutoencoderSpec.Corruption {
    /// A denoising autoencoder's input: `batch` with N(0, σ²) noise added, or each value set
    /// to 0 with probability p, written into `corrupted` (`noise` is scratch space).
    func apply(to batch: Tensor, into corrupted: Tensor, noise: Tensor, generator: inout RandomGenerator) {
        corrupted.copy(from: batch)
        switch self {
        case .gaussian(let sigma):
            noise.resize(to: batch.shape)
            generator.fillNormal(noise.buffer, std: Float(sigma))
            for i in 0..<corrupted.count { corrupted[i] += noise[i] }
        case .mask(let p):
            for i in 0..<corrupted.count where generator.nextUniform() < Float(p) { corrupted[i] = 0 }
        }
    }
}
