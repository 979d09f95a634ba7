import ArgumentParser
import Foundation
import GenLabData
import GenLabModels
import GenLabNN
import GenLabSpec

/// `genlab bench`: training-step throughput of the reference models on random data.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure images/s and peak memory of full training steps (forward, backward, update).",
        discussion: """
        Each model runs on random inputs: warm-up steps first, then timed steps for at least \
        --seconds. Peak memory is the process's peak resident set size (VmHWM) measured from \
        the model's construction, reset between models.
        """
    )

    @Option(help: "OpenBLAS threads (GenLab's default is one per process).")
    var threads = 1

    @Option(help: "Minimum timed duration per model, in seconds.")
    var seconds = 5.0

    @Option(help: "Warm-up steps per model, not timed.")
    var warmup = 2

    @Option(help: "Models to run: \(BenchModel.allCases.map(\.rawValue).joined(separator: ", ")).")
    var models: [BenchModel] = BenchModel.allCases

    @Flag(help: "Also time loading Fashion-MNIST (60,000 training + 10,000 test images) from the default folder.")
    var data = false

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
        guard warmup >= 0 else { throw ValidationError("--warmup must not be negative") }
    }

    func run() throws {
        BLAS.setThreads(threads)
        print("genlab bench: OpenBLAS core \(BLAS.coreName), \(BLAS.threads) thread(s)")
        if data { try benchDataLoading() }
        print("model".padding(toLength: 40, withPad: " ", startingAt: 0) + "batch   steps   images/s   peak MiB")
        for model in models {
            ResidentMemory.resetPeak()
            let result = try model.measure(seconds: seconds, warmup: warmup)
            let peak = ResidentMemory.peakBytes().map { String(format: "%.0f", Double($0) / 1_048_576) } ?? "?"
            print(model.title.padding(toLength: 40, withPad: " ", startingAt: 0)
                  + String(format: "%5d %7d %10.1f %10@", result.batch, result.steps,
                           Double(result.steps * result.batch) / result.elapsed, peak))
        }
    }
}

extension Bench {
    /// Times reading and decompressing the default Fashion-MNIST (best of three).
    func benchDataLoading() throws {
        let spec = DatasetSpec(name: .fashionMNIST, path: nil, imageSize: 28, channels: 1, normalization: .unit,
                               subset: nil, holdout: .perClass)
        var best = Double.infinity
        var images = 0
        for _ in 0..<3 {
            let start = DispatchTime.now().uptimeNanoseconds
            let dataset = try DatasetLoader.load(spec)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            images = dataset.train.count + dataset.test.count
        }
        print(String(format: "Fashion-MNIST load (%d images, gzip IDX): %.3f s (best of 3)", images, best))
    }
}

/// A reference model and its training step, as `genlab bench` runs it.
enum BenchModel: String, CaseIterable, ExpressibleByArgument {
    case arenaVAE = "arena-vae"
    case labDCGAN = "lab-dcgan"

    var title: String {
        switch self {
        case .arenaVAE: "ARENA conv VAE (latent 5, hidden 128)"
        case .labDCGAN: "lab DCGAN (width 64, z 100)"
        }
    }

    /// Builds the model and its step, runs `warmup` steps, then steps until `seconds` pass.
    func measure(seconds: Double, warmup: Int) throws -> (batch: Int, steps: Int, elapsed: Double) {
        var generator = RandomGenerator(seed: 0)
        let step: (inout RandomGenerator) throws -> Void
        let batchSize: Int
        switch self {
        case .arenaVAE:
            batchSize = 512
            let (encoder, decoder) = ReferenceModels.arenaConvVAE(latent: 5, hidden: 128)
            Initialization.pytorch.apply(to: encoder, generator: &generator)
            Initialization.pytorch.apply(to: decoder, generator: &generator)
            let adam = Adam(encoder.parameters + decoder.parameters, lr: 1e-3, betas: (0.5, 0.999))
            let vae = VAEStep(encoder: encoder, decoder: decoder, latent: 5, beta: 0.1, optimizer: adam)
            let batch = Tensor(zeros: [batchSize, 1, 28, 28])
            generator.fillUniform(batch.buffer, low: 0, high: 1)
            step = { rng in _ = try vae(batch, generator: &rng) }
        case .labDCGAN:
            batchSize = 64
            let (g, d) = ReferenceModels.labDCGAN(latent: 100, width: 64)
            Initialization.dcgan.apply(to: g, generator: &generator)
            Initialization.dcgan.apply(to: d, generator: &generator)
            let gan = GANStep(
                generator: g, discriminator: d, noiseShape: [100, 1, 1],
                generatorOptimizer: Adam(g.parameters, lr: 2e-4, betas: (0.5, 0.999)),
                discriminatorOptimizer: Adam(d.parameters, lr: 2e-4, betas: (0.5, 0.999)))
            let batch = Tensor(zeros: [batchSize, 1, 28, 28])
            generator.fillUniform(batch.buffer, low: 0, high: 1)
            step = { rng in _ = try gan(batch, generator: &rng) }
        }
        for _ in 0..<warmup { try step(&generator) }
        let start = DispatchTime.now().uptimeNanoseconds
        var steps = 0
        var elapsed = 0.0
        repeat {
            try step(&generator)
            steps += 1
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < seconds
        return (batchSize, steps, elapsed)
    }
}
