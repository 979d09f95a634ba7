import GenLabModels
import GenLabNN
import GenLabSpec
import GenLabTestSupport
import Testing

/// Finite-difference checks of whole training steps: the gradient each trainer leaves in
/// every parameter is ∂(total loss)/∂parameter, with the step's random draws held fixed,
/// checked per tensor along random directions (`GradientCheck.tensors`); every parameter
/// must receive a non-zero gradient. (The sparse AE takes smaller steps: larger ones cross
/// the L1 penalty's kink at z = 0.)
/// (Adam with lr 1e-30 keeps the parameters where they are. Losses are means, so that a
/// Float32 total resolves the small steps of the central differences.)
@Suite struct TrainerGradientTests {
    static let dataset = "dataset: {name: fashion-mnist}\ntrain: {optimizer: {adam: {lr: 1.0e-30}}}\n"
    static let mlp = "encoder: [flatten, {linear: {out: 6}}, tanh]\n  decoder: mirror\n  output: sigmoid\n"

    static let cases: [(String, String)] = [
        ("vae joint log σ, mse mean", "kind: vae\n  latent: 2\n  beta: 0.7\n  " + mlp),
        ("vae separate log-variance heads, bce", "kind: vae\n  latent: 2\n  heads: separate\n  scale_head: log_variance\n  likelihood: bce\n  " + mlp),
        ("vae isotropic, Monte-Carlo KL, 3 samples, learned σx", "kind: vae\n  latent: 2\n  posterior: isotropic\n  kl: monte_carlo\n  samples: 3\n  likelihood: gaussian\n  " + mlp),
        ("β-TCVAE, minibatch stratified, log-variance head", "kind: vae\n  latent: 3\n  scale_head: log_variance\n  tc: {weight: 6, estimator: minibatch_stratified, dataset_size: 100}\n  " + mlp),
        ("β-TCVAE, minibatch weighted, isotropic, batchmean", "kind: vae\n  latent: 3\n  posterior: isotropic\n  reduction: batchmean\n  tc: {weight: 0.5, dataset_size: 1000}\n  " + mlp),
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
        let trainer = built.trainer(batchesPerEpoch: 100)
        var images = RandomGenerator(seed: 3)
        let batch = Tensor(zeros: [3, 1, 28, 28])
        images.fillUniform(batch.buffer, low: 0.05, high: 0.95)
        let labels: [Int32] = [1, 4, 7]
        func total() throws -> Double {
            var g = RandomGenerator(seed: 9)
            return Double(try trainer.step(batch, labels: labels, generator: &g)["total"]!)
        }
        let parameters = built.parameterGroups.flatMap { group in group.parameters.map { ("\(group.name).\($0.name)", $0.parameter) } }
        let failures = try GradientCheck.tensors(parameters, h: name.contains("sparse") ? 2e-4 : 2e-3, loss: total)
        #expect(failures.isEmpty, "\(name): \(failures.prefix(6))")
    }
}
