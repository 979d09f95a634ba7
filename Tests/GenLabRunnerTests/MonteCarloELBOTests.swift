import GenLabAnalysis
import GenLabModels
import GenLabNN
import GenLabReport
import GenLabResults
import GenLabSpec
import GenLabSweeps
import GenLabTestSupport
import GenLabTraining
import Testing

/// The posterior fit's objective: −ELBO of q = N(μ, diag σ²) for one image through a frozen
/// decoder, its gradient with respect to μ and log σ against directional differences (the
/// same ε on every evaluation), for each likelihood, an isotropic and a diagonal σ, a CVAE's
/// label.
@Suite struct MonteCarloELBOTests {
    @Test(arguments: [("vae", "bce", 1), ("vae", "gaussian", 3), ("cvae", "mse", 3)])
    func gradientMatchesDifferences(_ kind: String, _ likelihood: String, _ scaleWidth: Int) throws {
        let yaml = """
            name: e
            dataset: {name: fashion-mnist}
            model:
              kind: \(kind)
              latent: 3
              \(kind == "cvae" ? "classes: 10" : "")
              encoder: [flatten, {linear: {out: 6}}, tanh]
              decoder: mirror
              output: sigmoid
              likelihood: \(likelihood)
              \(likelihood == "gaussian" ? "sigma_x: 0.3" : "")
            """
        let built = try BuiltModel(try Experiment.parse(yaml, file: "e.yaml"))
        let model = try #require(built.generativeModel() as? LatentModel)
        let x = GradientCheck.random([1, 1, 28, 28], seed: 2)
        for i in 0..<x.count { x[i] = (x[i] + 1) / 2 }
        let likelihood = likelihood == "mse" ? PixelLikelihood(sigmaX: 0.5) : PixelLikelihood(built)
        let elbo = MonteCarloELBO(model: model, likelihood: likelihood, x: x, label: kind == "cvae" ? 4 : nil)
        let mu = Parameter(shape: [1, 3]), logSigma = Parameter(shape: [1, scaleWidth])
        mu.value.copy(from: GradientCheck.random([1, 3], seed: 3))
        logSigma.value.copy(from: GradientCheck.random([1, scaleWidth], seed: 4))
        let failures = try GradientCheck.tensors([("mu", mu), ("log_sigma", logSigma)]) {
            mu.zeroGrad()
            logSigma.zeroGrad()
            var generator = RandomGenerator(seed: 9)
            return -(try elbo.value(mu: mu, logSigma: logSigma, draws: 4, generator: &generator, gradients: true))
        }
        #expect(failures.isEmpty, "\(failures)")
    }
}
