import Foundation
import GenLabTestSupport
import Testing

/// One whole training step of each ResNet reference experiment against PyTorch
/// (`Tests/Fixtures/pytorch-resnet-vae.json` and `-gan.json`, from
/// `generate_resnet_reference.py`; the initial parameters are patterns both sides compute): the files
/// themselves with SGD for their optimizer, every loss, every parameter gradient, every
/// parameter and buffer after the update (BatchNorm statistics, spectral norm's u and v).
@Suite struct ResNetStepTests {
    struct VAEFile: Decodable { let vae: NotebookReference.StepCase }
    struct GANFile: Decodable { let gan: AdversarialReference }

    static func read<File: Decodable>(_ name: String, as: File.Type) -> File? {
        let url = Golden.folder.appendingPathComponent(name)
        do { return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)) } catch {
            print("cannot read \(url.path): \(error)")
            return nil
        }
    }

    @Test func resnetVAEStepMatchesPyTorch() throws {
        let reference = try #require(ResNetStepTests.read("pytorch-resnet-vae.json", as: VAEFile.self)?.vae)
        #expect(reference.yaml.contains("name: resnet-vae"))
        try NotebookExperimentTests.checkStep(reference)
    }

    @Test func resnetGANIterationMatchesPyTorch() throws {
        let reference = try #require(ResNetStepTests.read("pytorch-resnet-gan.json", as: GANFile.self)?.gan)
        #expect(reference.yaml.contains("name: resnet-gan"))
        try GoldenAdversarialTests.checkIterations(reference)
    }
}
