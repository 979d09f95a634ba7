import Foundation
import GenLabModels
import GenLabNN
import GenLabTestSupport
import Testing

/// `Tests/Fixtures/pytorch-classifier.json`, written by `generate_classifier_reference.py`.
struct ClassifierReference: Decodable, Sendable {
    struct CrossEntropy: Decodable, Sendable {
        struct Reduced: Decodable, Sendable {
            let loss: Double
            let grad: GoldenTensor
        }
        let logits: GoldenTensor
        let targets: [Int32]
        let mean: Reduced
        let sum: Reduced
    }
    struct Step: Decodable, Sendable {
        let initial: [String: GoldenTensor]
        let images: GoldenTensor
        let labels: [Int32]
        let features: GoldenTensor
        let probabilities: GoldenTensor
        let loss: Double
        let gradients: [String: GoldenTensor]
        let after: [String: GoldenTensor]
    }
    let crossEntropy: CrossEntropy
    let step: Step

    enum CodingKeys: String, CodingKey {
        case crossEntropy = "cross_entropy", step
    }

    static let file: ClassifierReference? = {
        let url = Golden.folder.appendingPathComponent("pytorch-classifier.json")
        return try? JSONDecoder().decode(ClassifierReference.self, from: Data(contentsOf: url))
    }()
}

/// Cross-entropy (mean and sum) and the evaluation classifier against PyTorch: features and
/// probabilities in evaluation mode, then one training step's loss, gradients and Adam update.
@Suite struct GoldenClassifierTests {
    @Test func crossEntropyMatchesPyTorch() throws {
        let reference = try #require(ClassifierReference.file).crossEntropy
        let logits = reference.logits.tensor
        for (reduction, expected) in [(Reduction.mean, reference.mean), (.sum, reference.sum)] {
            let loss = CrossEntropyLoss(reduction: reduction)
            #expect(abs(Double(try loss.forward(logits, reference.targets)) - expected.loss) < 1e-5 * max(1, abs(expected.loss)))
            let grad = Tensor(zeros: [0])
            try loss.backward(logits, reference.targets, into: grad)
            #expect(Golden.mismatches(grad.values, expected.grad) == [], "\(reduction)")
        }
        #expect(throws: ShapeError.self) { try CrossEntropyLoss().forward(logits, [0, 1, 2, 3, 4, 5].map { $0 == 2 ? 9 : $0 }) }
    }

    @Test func classifierStepMatchesPyTorch() throws {
        let reference = try #require(ClassifierReference.file).step
        let classifier = try EvaluationClassifier(imageShape: [1, 8, 8], classes: 10, seed: 0)
        let parameters = Dictionary(uniqueKeysWithValues: classifier.network.parameters.map { ($0.name, $0.parameter) })
        #expect(Set(parameters.keys) == Set(reference.initial.keys))
        for (key, value) in reference.initial { #expect(Golden.load(value, into: try #require(parameters[key]).value), "\(key)") }
        let images = reference.images.tensor
        let (features, probabilities) = try classifier.evaluate(images)
        #expect(Golden.mismatches(features, reference.features) == [])
        #expect(Golden.mismatches(probabilities, reference.probabilities) == [])
        let loss = try classifier.step(images, labels: reference.labels)
        #expect(abs(Double(loss) - reference.loss) < 1e-5)
        for (key, grad) in reference.gradients { #expect(Golden.mismatches(try #require(parameters[key]).grad.values, grad) == [], "grad \(key)") }
        for (key, value) in reference.after { #expect(Golden.mismatches(try #require(parameters[key]).value.values, value) == [], "after \(key)") }
    }
}
