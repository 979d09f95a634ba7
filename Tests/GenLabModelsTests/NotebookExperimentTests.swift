import Foundation
import GenLabModels
import GenLabNN
import GenLabSpec
import GenLabTestSupport
import Testing

/// `Tests/Fixtures/pytorch-notebooks.json`, written by `generate_notebook_reference.py` (see
/// its docstring): the notebooks' networks and hyperparameters, and PyTorch steps of the
/// objectives GenLab learned for them.
struct NotebookReference: Decodable, Sendable {
    struct Network: Decodable, Sendable {
        let layers: [String]
        let parameters: Int
    }

    struct ExperimentCase: Decodable, Sendable, CustomTestStringConvertible {
        let file: String
        let source: String
        let networks: [String: Network]
        let parameters: Int
        /// The hyperparameters of each point the file trains, in sweep order.
        let points: [[String: String]]
        var testDescription: String { file }
    }

    struct StepCase: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let yaml: String
        let params: [String: GoldenTensor]
        let input: GoldenTensor
        let labels: [Int32]
        let eps: GoldenTensor
        let losses: [String: Double]
        let output: GoldenTensor
        let grads: [String: GoldenTensor]
        /// Every parameter and buffer after the step; with `lr`, the buffers only (the
        /// parameters are then SGD's, parameter − lr·gradient).
        let after: [String: GoldenTensor]
        let lr: Double?
        var testDescription: String { name }
    }

    let experiments: [ExperimentCase]
    let steps: [StepCase]

    static let file: NotebookReference? = {
        let url = Golden.folder.appendingPathComponent("pytorch-notebooks.json")
        do { return try JSONDecoder().decode(NotebookReference.self, from: Data(contentsOf: url)) } catch {
            print("cannot read \(url.path): \(error)")
            return nil
        }
    }()
}

/// Each file of `experiments/` is the notebook experiment it claims: its networks layer by
/// layer (widths, kernels, strides, paddings, biases, slopes), parameter counts and every
/// point's hyperparameters equal the notebook's as transcribed into PyTorch; and the objectives
/// GenLab learned for the notebooks (per-image `batchmean`, the lab VAE's two readings of its
/// scale head) match PyTorch steps.
@Suite struct NotebookExperimentTests {
    static let experiments = NotebookReference.file?.experiments ?? []
    static let steps = NotebookReference.file?.steps ?? []

    /// Files that are not a notebook experiment, or whose hyperparameters the notebooks leave
    /// open (their headers and experiments/README.md say so).
    static let genLabOwn: Set<String> = ["arena-denoising-ae", "arena-hierarchical-vae", "arena-vae-halving", "celeba-dcgan", "dsprites-beta-tcvae",
                                           "dsprites-beta-vae", "lab-wgan-compare", "lab-wgan-gp",
                                           "quickstart", "resnet-gan",
                                           "resnet-vae"]

    @Test func everyFileIsClassified() {
        let files = Set(ExperimentFileTests.experimentFiles.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent })
        let covered = Set(NotebookExperimentTests.experiments.map(\.file))
        #expect(covered.count == 13)
        #expect(files == covered.union(NotebookExperimentTests.genLabOwn), "every experiment file is a notebook experiment or declared GenLab's own")
    }

    /// A plan's layers with an activation written after an Unflatten moved before it (an
    /// elementwise activation commutes with a reshape; GenLab's mirror puts it after, the
    /// notebooks before).
    static func canonical(_ layers: [String]) -> [String] {
        var result = layers
        for i in result.indices.dropLast() where result[i].hasPrefix("Unflatten(") && ["ReLU()", "Tanh()", "Sigmoid()"].contains(result[i + 1]) {
            result.swapAt(i, i + 1)
        }
        return result
    }

    @Test(arguments: experiments)
    func networksAreTheNotebooks(_ reference: NotebookReference.ExperimentCase) throws {
        let path = Repository.root.appendingPathComponent("experiments/\(reference.file).yaml").path
        let points = try Experiment.load(path: path).points()
        #expect(points.count == reference.points.count, "points of \(reference.file)")
        let model = try BuiltModel(points[0].experiment, initializing: false)
        #expect(Set(model.networks.map(\.name)) == Set(reference.networks.keys))
        for network in model.networks {
            let expected = try #require(reference.networks[network.name])
            #expect(NotebookExperimentTests.canonical(network.rows.map(\.description)) == expected.layers, "\(reference.file) \(network.name) (\(reference.source))")
            #expect(network.parameterCount == expected.parameters, "\(reference.file) \(network.name)")
        }
        #expect(model.parameterCount == reference.parameters)
        for (point, expected) in zip(points, reference.points) {
            let actual = NotebookExperimentTests.settings(point.experiment)
            for (key, value) in expected {
                #expect(actual[key] == value, "\(reference.file) point \(point.runID): \(key) is \(actual[key] ?? "missing"), the notebook's \(value)")
            }
        }
    }

    /// An experiment's hyperparameters in the fixture's vocabulary.
    static func settings(_ e: Experiment) -> [String: String] {
        func number(_ v: Double) -> String { String(format: "%.6g", v) }
        func schedule(_ every: RecordSpec.Every) -> String {
            switch every {
            case .steps(let n): "steps \(n)"
            case .epoch: "epoch"
            case .images(let n): "images \(n)"
            case .epochSteps(let n): "epoch_steps \(n)"
            case .any(let all): all.map(schedule).joined(separator: " | ")
            }
        }
        var s: [String: String] = [
            "kind": e.model.kind.rawValue, "latent": "\(e.model.latent)", "seed": "\(e.seed)", "init": e.model.initialization.rawValue,
            "batch_size": "\(e.train.batchSize)", "drop_last": e.train.dropLast ? "true" : "false",
            "image": e.dataset.imageShape.map(String.init).joined(separator: "×"),
        ]
        if case .epochs(let n) = e.train.length { s["epochs"] = "\(n)" }
        switch e.dataset.normalization {
        case .unit: s["normalize"] = "unit"
        case .symmetric: s["normalize"] = "symmetric"
        case .meanStd(let mean, let std): s["normalize"] = "mean \(mean.map(number)) std \(std.map(number))"
        }
        let optimizers = Set(e.train.optimizers.values.map { "\($0)" })
        if optimizers.count == 1, let optimizer = e.train.optimizers.values.first {
            switch optimizer {
            case .adam(let lr, let betas, _, let wd):
                (s["optimizer"], s["lr"], s["betas"], s["weight_decay"]) = ("adam", number(lr), "[\(number(betas.0)), \(number(betas.1))]", number(wd))
            case .rmsprop(let lr, _, _, let wd):
                (s["optimizer"], s["lr"], s["weight_decay"]) = ("rmsprop", number(lr), number(wd))
            case .sgd(let lr, _, let wd):
                (s["optimizer"], s["lr"], s["weight_decay"]) = ("sgd", number(lr), number(wd))
            }
        }
        if let samples = e.record.samples {
            (s["samples_every"], s["samples_count"], s["samples_latent"]) = (schedule(samples.every), "\(samples.count)", samples.latent.rawValue)
        }
        if let a = e.model.autoencoder {
            s["likelihood"] = a.likelihood.rawValue
            s["reduction"] = a.reduction.rawValue
            if e.model.kind.isVariational {
                (s["beta"], s["heads"], s["posterior"], s["kl"], s["samples"]) = (number(a.beta), a.heads.rawValue, a.posterior.rawValue, a.kl.rawValue, "\(a.samples)")
                (s["scale_head"], s["kl_scale_head"]) = (a.scaleHead.rawValue, a.klScaleHead.rawValue)
            }
            if a.likelihood == .gaussian {
                switch a.sigmaX {
                case .learned: s["sigma_x"] = "learned"
                case .fixed(let v): s["sigma_x"] = number(v)
                }
            }
        }
        if let g = e.model.adversarial {
            (s["loss"], s["generator_noise"], s["critic_steps"], s["critic_schedule"]) = (g.loss.rawValue, g.generatorNoise.rawValue, "\(g.criticSteps)", g.criticSchedule.rawValue)
            s["clip"] = g.clip.map(number) ?? "none"
        }
        return s
    }

    @Test(arguments: steps)
    func objectiveStepMatchesPyTorch(_ reference: NotebookReference.StepCase) throws {
        try NotebookExperimentTests.checkStep(reference)
    }

    /// One VAE step of `reference` through GenLab's own path (its YAML built, the reference
    /// parameters loaded, the trainer's step with the reference ε): the reconstruction,
    /// every loss, every parameter gradient, every parameter and buffer afterwards.
    static func checkStep(_ reference: NotebookReference.StepCase) throws {
        let model = try BuiltModel(try Experiment.parse(reference.yaml, file: "\(reference.name).yaml"))
        var tensors: [String: Tensor] = [:]
        var parameters: [String: Parameter] = [:]
        for group in model.parameterGroups {
            for (key, parameter) in group.parameters {
                parameters["\(group.name).\(key)"] = parameter
                tensors["\(group.name).\(key)"] = parameter.value
            }
        }
        for network in model.networks {
            for (key, buffer) in network.network.buffers where !key.hasSuffix("num_batches_tracked") {
                tensors["\(network.name).\(key)"] = buffer
            }
        }
        #expect(Set(tensors.keys) == Set(reference.params.keys))
        for (key, value) in reference.params { #expect(Golden.load(value, into: try #require(tensors[key])), "\(key)") }

        let trainer = try #require(model.trainer(batchesPerEpoch: 1) as? VAETrainer)
        let losses = try trainer.step(reference.input.tensor, labels: reference.labels, eps: reference.eps.tensor)
        let output = try #require(trainer.lastReconstruction)
        #expect(Golden.mismatches(output.values, reference.output, shape: output.shape) == [])
        for (name, value) in reference.losses {
            let actual = try #require(losses[name])
            #expect(abs(Double(actual) - value) <= 1e-5 + 1e-4 * abs(value), "\(name): \(actual) ≠ \(value)")
        }
        for (key, grad) in reference.grads {
            #expect(Golden.mismatches(try #require(parameters[key]).grad.values, grad) == [], "grad \(key)")
        }
        try GoldenAfterStep.check(reference.after, tensors: tensors, parameters: parameters, start: reference.params,
                                  grads: reference.grads, lr: reference.lr)
    }
}
