import GenLabNN

/// The networks of the notebooks GenLab reproduces, built directly (the benchmark and the
/// golden tests use them; experiment files describe the same networks in YAML).
public enum ReferenceModels {
    /// ARENA's conv VAE on 1×28×28 images. The encoder ends in Linear(hidden → 2·latent),
    /// split into [μ | log σ]; the decoder mirrors it with ConvTranspose2d.
    public static func arenaConvVAE(latent: Int, hidden: Int) -> (encoder: Sequential, decoder: Sequential) {
        let encoder = Sequential([
            Conv2d(inChannels: 1, outChannels: 16, kernelSize: 4, stride: 2, padding: 1, bias: false),
            Activation(.relu),
            Conv2d(inChannels: 16, outChannels: 32, kernelSize: 4, stride: 2, padding: 1, bias: false),
            Activation(.relu),
            Reshape.flatten(),
            Linear(inFeatures: 32 * 7 * 7, outFeatures: hidden),
            Activation(.relu),
            Linear(inFeatures: hidden, outFeatures: 2 * latent),
        ])
        let decoder = Sequential([
            Linear(inFeatures: latent, outFeatures: hidden),
            Activation(.relu),
            Linear(inFeatures: hidden, outFeatures: 32 * 7 * 7),
            Activation(.relu),
            Reshape.unflatten([32, 7, 7]),
            ConvTranspose2d(inChannels: 32, outChannels: 16, kernelSize: 4, stride: 2, padding: 1, bias: false),
            Activation(.relu),
            ConvTranspose2d(inChannels: 16, outChannels: 1, kernelSize: 4, stride: 2, padding: 1, bias: false),
        ])
        return (encoder, decoder)
    }

    /// The lab DCGAN for 1×28×28 images with latent z of 100×1×1 and base width 64.
    public static func labDCGAN(latent: Int = 100, width: Int = 64) -> (generator: Sequential, discriminator: Sequential) {
        let generator = Sequential([
            ConvTranspose2d(inChannels: latent, outChannels: width * 8, kernelSize: 5, bias: false),
            BatchNorm(dimensions: 2, features: width * 8),
            Activation(.relu),
            ConvTranspose2d(inChannels: width * 8, outChannels: width * 4, kernelSize: 5, bias: false),
            BatchNorm(dimensions: 2, features: width * 4),
            Activation(.relu),
            ConvTranspose2d(inChannels: width * 4, outChannels: width * 2, kernelSize: 5, stride: 2, bias: false),
            BatchNorm(dimensions: 2, features: width * 2),
            Activation(.relu),
            ConvTranspose2d(inChannels: width * 2, outChannels: width, kernelSize: 5, bias: false),
            BatchNorm(dimensions: 2, features: width),
            Activation(.relu),
            ConvTranspose2d(inChannels: width, outChannels: 1, kernelSize: 4, bias: false),
            Activation(.sigmoid),
        ])
        let discriminator = Sequential([
            Conv2d(inChannels: 1, outChannels: width, kernelSize: 4, stride: 2, padding: 1, bias: false),
            Activation(.leakyReLU(slope: 0.2)),
            Conv2d(inChannels: width, outChannels: width * 2, kernelSize: 4, stride: 2, padding: 1, bias: false),
            BatchNorm(dimensions: 2, features: width * 2),
            Activation(.leakyReLU(slope: 0.2)),
            Conv2d(inChannels: width * 2, outChannels: width * 4, kernelSize: 4, stride: 2, padding: 1, bias: false),
            BatchNorm(dimensions: 2, features: width * 4),
            Activation(.leakyReLU(slope: 0.2)),
            AdaptiveAvgPool2d(),
            Reshape.flatten(),
            Linear(inFeatures: width * 4, outFeatures: 1),
            Activation(.sigmoid),
        ])
        return (generator, discriminator)
    }
}
