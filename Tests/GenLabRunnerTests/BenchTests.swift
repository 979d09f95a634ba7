import Foundation
import GenLabTensor
import GenLabTestSupport
import Testing

/// `genlab bench`'s GFLOP/s count the multiply-adds the steps ran (`MatrixWork`): per image,
/// GFLOP/s ÷ images/s must be the models' own count — forward, input gradient and weight
/// gradient of every layer — for an MLP (matrix products only) and the ARENA conv VAE (oneDNN
/// passes and im2col's products), in fp32 and bf16.
@Suite struct BenchTests {
    /// Multiply-adds of one image's forward pass: homework-mlp-ae's Linear layers
    /// (784→256→64, the latent head 64→32, the mirror back), and arena-conv-vae's
    /// convolutions (1→16 and 16→32 through 4×4 windows onto 14² and 7²), Linear 1568→100,
    /// the joint head 100→10, and its mirrored decoder.
    static let forwardMultiplyAdds = [
        "homework-mlp-ae": 784 * 256 + 256 * 64 + 64 * 32 + 32 * 64 + 64 * 256 + 256 * 784,
        "arena-conv-vae": 16 * 16 * 196 + 32 * 16 * 16 * 49 + 1568 * 100 + 100 * 10
            + 5 * 100 + 100 * 1568 + 32 * 16 * 16 * 49 + 16 * 16 * 196,
    ]

    @Test(arguments: ["fp32", "bf16"]) func flopsAreTheModelsOwn(_ precision: String) throws {
        // `--precision bf16` is refused on a CPU without AMX or AVX512-BF16 (`PrecisionSpecTests`)
        guard precision == "fp32" || Precision.hasNativeBF16 else { return }
        let files = BenchTests.forwardMultiplyAdds.keys.sorted().flatMap { ["--experiments", RunHarness.experimentFile($0)] }
        let result = try Repository.run(RunHarness.genlab, ["bench", "--seconds", "0.3", "--warmup", "1", "--precision", precision] + files)
        #expect(result.status == 0, "\(result.output)")
        for (name, multiplyAdds) in BenchTests.forwardMultiplyAdds {
            let row = try #require(result.output.split(separator: "\n").first { $0.hasPrefix(name + " ") }, "\(result.output)")
            let fields = row.split(separator: " ")
            let imagesPerSecond = try #require(Double(fields[3])), gflops = try #require(Double(fields[6]))
            #expect(fields[5] == precision)
            // three passes (forward, input gradient, weight gradient), two FLOPs a multiply-add
            let expected = 6 * Double(multiplyAdds), measured = gflops * 1e9 / imagesPerSecond
            #expect(abs(measured - expected) <= 0.005 * expected, "\(name): \(measured) FLOPs an image, the model has \(expected)")
        }
        #expect(result.output.contains("Measured peak (a 2048³ product"))
    }
}
