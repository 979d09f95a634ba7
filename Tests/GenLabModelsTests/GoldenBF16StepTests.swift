import Foundation
import GenLabModels
import GenLabNN
import GenLabSpec
import GenLabTestSupport
import Testing

/// One whole training step of the ARENA conv VAE and one iteration of the lab DCGAN (at a
/// quarter of its widths) in bf16, against PyTorch's CPU autocast on the same weights, batch
/// and noise (`Tests/Fixtures/pytorch-bf16-{vae,gan}-step.json`, from `generate_bf16_step_reference.py`).
///
/// Past one layer the two no longer multiply the same operands: PyTorch keeps each layer's
/// result in bfloat16 (and runs BatchNorm and the activations on it), GenLab in float, so
/// their gradients differ as much as bfloat16 rounding moves them. The fixture measures that
/// scale for each gradient: d, how far PyTorch's own float step lies from its autocast step
/// (0.2 – 5 % for the VAE; 2 – 41 % for the DCGAN, whose BatchNorm layers amplify rounding).
/// Each gradient (and the VAE's output) is held to a relative L2 error of 2⁻⁶ + 1.5·d from
/// autocast, each loss to 2⁻⁷; and for the VAE, whose step is well conditioned, GenLab's bf16
/// step must be closer to autocast than its own fp32 step, by half in the errors' sum of
/// squares over the step: bf16 computed as autocast computes it, not merely float. (For the
/// DCGAN the two are equally far: at 16 images its gradients are as sensitive to any rounding
/// as the precisions differ.)
@Suite(.serialized) struct GoldenBF16StepTests {
    struct File: Decodable {
        let vae: NotebookReference.StepCase
        let gan: AdversarialReference
    }
    struct VAEFile: Decodable { let vae: NotebookReference.StepCase }
    struct GANFile: Decodable { let gan: AdversarialReference }

    /// Each case's `float_distances`: ‖PyTorch float − autocast‖ / ‖autocast‖ per gradient.
    struct Distances: Decodable {
        struct Case: Decodable {
            let floatDistances: [String: Double]
            enum CodingKeys: String, CodingKey { case floatDistances = "float_distances" }
        }
        let vae: Case?
        let gan: Case?
    }

    static let file: (cases: File, distances: (vae: Distances.Case, gan: Distances.Case))? = {
        do {
            let vae = try Data(contentsOf: Golden.folder.appendingPathComponent("pytorch-bf16-vae-step.json"))
            let gan = try Data(contentsOf: Golden.folder.appendingPathComponent("pytorch-bf16-gan-step.json"))
            let decoder = JSONDecoder()
            let cases = File(vae: try decoder.decode(VAEFile.self, from: vae).vae, gan: try decoder.decode(GANFile.self, from: gan).gan)
            guard let vaeDistances = try decoder.decode(Distances.self, from: vae).vae,
                  let ganDistances = try decoder.decode(Distances.self, from: gan).gan else { return nil }
            return (cases, (vaeDistances, ganDistances))
        } catch {
            print("cannot read the bf16 step fixtures: \(error)")
            return nil
        }
    }()

    /// ‖actual − expected‖ / ‖expected‖.
    static func relativeError(_ actual: [Float], _ expected: [Double]) -> Double {
        var difference = 0.0, norm = 0.0
        for (a, e) in zip(actual, expected) {
            difference += (Double(a) - e) * (Double(a) - e)
            norm += e * e
        }
        return (difference / max(norm, 1e-300)).squareRoot()
    }

    /// The model of `yaml` with `params` loaded, its products in `precision`; its parameters by key.
    static func model(_ yaml: String, _ params: [String: GoldenTensor], _ precision: Precision) throws -> (BuiltModel, [String: Parameter]) {
        var model = try BuiltModel(try Experiment.parse(yaml, file: "bf16-step.yaml"))
        #expect(model.experiment.train.precision.choice == .bf16)
        model.use(precision)
        var tensors: [String: Tensor] = [:], parameters: [String: Parameter] = [:]
        for group in model.parameterGroups {
            for (key, parameter) in group.parameters {
                parameters["\(group.name).\(key)"] = parameter
                tensors["\(group.name).\(key)"] = parameter.value
            }
        }
        for network in model.networks {
            for (key, buffer) in network.network.buffers where !key.hasSuffix("num_batches_tracked") { tensors["\(network.name).\(key)"] = buffer }
        }
        #expect(Set(tensors.keys) == Set(params.keys))
        for (key, value) in params { #expect(Golden.load(value, into: try #require(tensors[key])), "\(key)") }
        return (model, parameters)
    }

    /// The step's losses and parameter gradients (and the VAE's reconstruction) in `precision`.
    static func step(_ name: String, _ precision: Precision) throws -> (losses: [String: Float], tensors: [String: [Float]]) {
        let file = try #require(GoldenBF16StepTests.file).cases
        if name == "vae" {
            let (model, parameters) = try GoldenBF16StepTests.model(file.vae.yaml, file.vae.params, precision)
            let trainer = try #require(model.trainer(batchesPerEpoch: 1) as? VAETrainer)
            let losses = try trainer.step(file.vae.input.tensor, labels: [], eps: file.vae.eps.tensor)
            var tensors = parameters.mapValues(\.grad.values)
            tensors["output"] = try #require(trainer.lastReconstruction).values
            return (losses, tensors)
        }
        let (model, parameters) = try GoldenBF16StepTests.model(file.gan.yaml, file.gan.params, precision)
        let trainer = try #require(model.trainer(batchesPerEpoch: 1) as? GANTrainer)
        let losses = try trainer.step(file.gan.real.tensor, labels: [], noise: file.gan.noise.map(\.tensor))
        return (losses, parameters.mapValues(\.grad.values))
    }

    @Test(arguments: ["vae", "gan"]) func stepMatchesAutocast(_ name: String) throws {
        let (file, distances) = try #require(GoldenBF16StepTests.file)
        var expected = name == "vae" ? file.vae.grads : file.gan.grads
        if name == "vae" { expected["output"] = file.vae.output }
        let expectedLosses = name == "vae" ? file.vae.losses : file.gan.losses[0]
        let floatDistances = name == "vae" ? distances.vae.floatDistances : distances.gan.floatDistances
        let ours = try GoldenBF16StepTests.step(name, .bf16), float = try GoldenBF16StepTests.step(name, .fp32)

        for (loss, value) in expectedLosses {
            let actual = Double(try #require(ours.losses[loss]))
            #expect(abs(actual - value) <= 0x1p-7 * abs(value), "\(loss): \(actual), autocast \(value)")
        }
        var squares = (bf16: 0.0, fp32: 0.0)
        for key in expected.keys.sorted() {
            let reference = try #require(expected[key]).data
            let bf16 = GoldenBF16StepTests.relativeError(try #require(ours.tensors[key]), reference)
            let fp32 = GoldenBF16StepTests.relativeError(try #require(float.tensors[key]), reference)
            // the output has no float distance stored: its rounding passes few layers
            let bound = 0x1p-6 + 1.5 * (floatDistances[key] ?? 0)
            #expect(bf16 <= bound, "\(key): relative error \(bf16) from autocast, above \(bound) (GenLab's fp32 step: \(fp32))")
            squares.bf16 += bf16 * bf16
            squares.fp32 += fp32 * fp32
        }
        if name == "vae" {
            #expect(squares.bf16 < 0.5 * squares.fp32, "bf16 \(squares.bf16.squareRoot()) vs fp32 \(squares.fp32.squareRoot()) from autocast")
        }
    }
}
