import Foundation
import GenLabTestSupport
import Testing

/// One whole training step of each ResNet reference experiment against PyTorch
/// (`Tests/Fixtures/pytorch-resnet.json`, from `generate_resnet_reference.py`): the files
/// themselves with SGD for their optimizer, every loss, every parameter gradient, every
/// parameter and buffer after the update (BatchNorm statistics, spectral norm's u and v).
@Suite struct ResNetStepTests {
    struct File: Decodable {
        let vae: NotebookReference.StepCase
        let gan: AdversarialReference
    }

    static let file: File? = {
        let url = Golden.folder.appendingPathComponent("pytorch-resnet.json")
        do { return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)) } catch {
            print("cannot read \(url.path): \(error)")
            return nil
        }
    }()

    @Test func resnetVAEStepMatchesPyTorch() throws {
        let reference = try #require(ResNetStepTests.file?.vae)
        #expect(reference.yaml.contains("name: resnet-vae"))
        try NotebookExperimentTests.checkStep(reference)
    }

    @Test func resnetGANIterationMatchesPyTorch() throws {
        let reference = try #require(ResNetStepTests.file?.gan)
        #expect(reference.yaml.contains("name: resnet-gan"))
        try GoldenAdversarialTests.checkIterations(reference)
    }
}
