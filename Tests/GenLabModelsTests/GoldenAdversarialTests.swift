import Foundation
import GenLabModels
import GenLabNN
import GenLabSpec
import GenLabTestSupport
import Testing

/// One reference of `Tests/Fixtures/pytorch-adversarial.json`, written by
/// `generate_adversarial_reference.py` (see its docstring).
struct AdversarialReference: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let kind: String
    let yaml: String
    let params: [String: GoldenTensor]
    let real: GoldenTensor
    let noise: [GoldenTensor]
    let losses: [[String: Double]]
    let grads: [String: GoldenTensor]
    let after: [String: GoldenTensor]
    /// Noise tensors drawn by each iteration (all of them for a GAN's one iteration).
    let noisePerIteration: [Int]?
    /// The epoch length the WGAN's per-epoch critic schedule counts in.
    let batchesPerEpoch: Int?
    /// When given, `after` holds the buffers only and the parameters are SGD's.
    let lr: Double?
    /// The real batch's labels (conditional models).
    let labels: [Int32]?

    enum CodingKeys: String, CodingKey {
        case name, kind, yaml, params, real, noise, losses, grads, after, noisePerIteration = "noise_per_iteration"
        case batchesPerEpoch = "batches_per_epoch", lr, labels
    }

    var testDescription: String { name }

    static let all: [AdversarialReference] = {
        struct File: Decodable { let cases: [AdversarialReference] }
        let url = Golden.folder.appendingPathComponent("pytorch-adversarial.json")
        do { return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases } catch {
            print("cannot read \(url.path): \(error)")
            return []
        }
    }()
}

/// GAN (BCE on probabilities and with logits, hinge, least squares; G's update on D's fake batch or on fresh
/// noise; conditional, the label as G's columns and D's channels), WGAN (clipping, the critic/generator schedule counted over the run or within
/// epochs) and WGAN-GP (the gradient penalty by double backprop, on an MLP critic with Tanh
/// and on a convolutional one with LayerNorm) through GenLab's own path: the networks written in YAML
/// and built, the reference parameters loaded, the trainer's iterations with the reference
/// noise. Checked against PyTorch: every loss of every iteration, every parameter gradient of
/// the last one, and every parameter and BatchNorm buffer afterwards.
@Suite struct GoldenAdversarialTests {
    @Test func referencesArePresent() {
        #expect(AdversarialReference.all.map(\.name) == ["gan_bce", "gan_bce_logits", "wgan_clip", "gan_bce_logits_fresh", "wgan_clip_per_epoch",
                                                         "wgan_gp_mlp", "wgan_gp_conv", "gan_hinge", "gan_least_squares",
                                                         "gan_conditional"])
    }

    @Test(arguments: AdversarialReference.all)
    func iterationsMatchPyTorch(_ reference: AdversarialReference) throws {
        try GoldenAdversarialTests.checkIterations(reference)
    }

    /// The iterations of `reference` through GenLab's own path; see the suite.
    static func checkIterations(_ reference: AdversarialReference) throws {
        let model = try BuiltModel(try Experiment.parse(reference.yaml, file: "\(reference.name).yaml"))
        var tensors: [String: Tensor] = [:]
        var parameters: [String: Parameter] = [:]
        for network in model.networks {
            for (key, parameter) in network.network.parameters {
                parameters["\(network.name).\(key)"] = parameter
                tensors["\(network.name).\(key)"] = parameter.value
            }
            for (key, buffer) in network.network.buffers where !key.hasSuffix("num_batches_tracked") {
                tensors["\(network.name).\(key)"] = buffer
            }
        }
        #expect(Set(tensors.keys) == Set(reference.params.keys))
        for (key, value) in reference.params { #expect(Golden.load(value, into: try #require(tensors[key])), "\(key)") }

        let trainer = model.trainer(batchesPerEpoch: reference.batchesPerEpoch ?? 100)
        let real = reference.real.tensor
        var noise = reference.noise.map(\.tensor)
        for (iteration, expected) in reference.losses.enumerated() {
            let count = reference.noisePerIteration?[iteration] ?? noise.count
            let given = Array(noise.prefix(count))
            noise.removeFirst(count)
            let losses: [String: Float]
            switch trainer {
            case let gan as GANTrainer: losses = try gan.step(real, labels: reference.labels ?? [], noise: given)
            case let wgan as WGANTrainer: losses = try wgan.step(real, labels: reference.labels ?? [], noise: given)
            default: Issue.record("not an adversarial trainer"); return
            }
            #expect(Set(losses.keys) == Set(expected.keys))
            for (name, value) in expected {
                let actual = try #require(losses[name])
                #expect(abs(Double(actual) - value) <= 1e-5 + 1e-4 * abs(value), "iteration \(iteration) \(name): \(actual) ≠ \(value)")
            }
        }
        for (key, grad) in reference.grads {
            #expect(Golden.mismatches(try #require(parameters[key]).grad.values, grad) == [], "grad \(key)")
        }
        try GoldenAfterStep.check(reference.after, tensors: tensors, parameters: parameters, start: reference.params,
                                  grads: reference.grads, lr: reference.lr)
    }
}
