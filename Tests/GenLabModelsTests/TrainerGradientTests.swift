import GenLabModels
import GenLabNN
import GenLabSpec
import GenLabTestSupport
import Testing

/// Finite-difference checks of whole training steps: the gradient each trainer leaves in
/// every parameter is ∂(total loss)/∂parameter, with the step's random draws held fixed.
/// (Adam with lr 1e-30 keeps the parameters where they are. Losses are means, so that a
/// Float32 total resolves the small steps of the central differences.)
@Suite struct TrainerGradientTests {
    static let dataset = "dataset: {name: fashion-mnist}\ntrain: {optimizer: {adam: {lr: 1.0e-30}}}\n"
    static let mlp = "encoder: [flatten, {linear: {out: 6}}, tanh]\n  decoder: mirror\n  output: sigmoid\n"

    static let cases: [(String, String)] = [
        ("vae joint log σ, mse mean", "kind: vae\n  latent: 2\n  beta: 0.7\n  " + mlp),
        ("vae separate log-variance heads, bce", "kind: vae\n  latent: 2\n  heads: separate\n  scale_head: log_variance\n  likelihood: bce\n  " + mlp),
        ("vae isotropic, Monte-Carlo KL, 3 samples, learned σx", "kind: vae\n  latent: 2\n  posterior: isotropic\n  kl: monte_carlo\n  samples: 3\n  likelihood: gaussian\n  " + mlp),
        ("cvae", "kind: cvae\n  classes: 10\n  latent: 2\n  likelihood: bce\n  " + mlp),
        ("denoising sparse ae", "kind: ae\n  latent: 3\n  corruption: {mask: 0.3}\n  sparsity: 0.5\n  " + mlp),
        ("hvae", "kind: hvae\n  latent: 3\n  latent2: 2\n  beta: 0.5\n  encoder2: [{linear: {out: 4}}, tanh]\n  prior: [{linear: {out: 4}}, tanh]\n  " + mlp),
    ]

    @Test(arguments: 0..<cases.count)
    func stepGradientIsTheLossGradient(_ index: Int) throws {
        let (name, model) = TrainerGradientTests.cases[index]
        let yaml = "name: g\n" + TrainerGradientTests.dataset + "model:\n  " + model
        let experiment = try Experiment.parse(yaml, file: "\(name).yaml")
        let built = try BuiltModel(experiment)
        let trainer = TrainerFactory.make(built)
        var images = RandomGenerator(seed: 3)
        let batch = Tensor(zeros: [3, 1, 28, 28])
        images.fillUniform(batch.buffer, low: 0.05, high: 0.95)
        let labels: [Int32] = [1, 4, 7]
        func total() throws -> Double {
            var g = RandomGenerator(seed: 9)
            return Double(try trainer.step(batch, labels: labels, generator: &g)["total"]!)
        }
        _ = try total()
        var failures: [String] = []
        for group in built.parameterGroups {
            for (key, p) in group.parameters {
                let analytic = p.grad.clone()
                for i in Swift.stride(from: 0, to: p.value.count, by: max(1, p.value.count / 12)) {
                    let saved = p.value[i], h: Float = 2e-3
                    p.value[i] = saved + h
                    let plus = try total()
                    p.value[i] = saved - h
                    let minus = try total()
                    p.value[i] = saved
                    let numeric = (plus - minus) / Double(2 * h)
                    if abs(numeric - Double(analytic[i])) > 3e-3 + 2e-2 * abs(Double(analytic[i])) {
                        failures.append("\(group.name).\(key)[\(i)]: numeric \(numeric), analytic \(analytic[i])")
                    }
                }
            }
        }
        #expect(failures.isEmpty, "\(name): \(failures.prefix(6))")
    }
}
