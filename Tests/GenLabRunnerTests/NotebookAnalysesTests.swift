import Foundation
import GenLabSpec
import GenLabTestSupport
import Testing

/// The analyses that optimise or fit something (003's PCA baseline and posterior fit, 002's
/// GAN inversion and activation maximisation), each recomputed by numpy from the stored
/// weights and the dataset's own files, and each shown to do what it is for (the ELBO rises,
/// the inversion's error falls, the critic rates G(z) higher).
@Suite struct NotebookAnalysesTests {
    /// numpy's reading of the dataset's files and of a network's stored layers.
    static let prelude = """
        import h5py, numpy as np, gzip
        def images(part, n):
            raw = gzip.open('\(DatasetSpec.fashionMNISTDefaultPath)/%s-images-idx3-ubyte.gz' % part).read()
            return np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 784)[:n] / 255.0
        def indices(f, group, net):
            return sorted({int(k.split('.')[0]) for k in f[group + '/' + net]})
        def w(f, net, i, name):
            return f['weights/%s/%d.%s' % (net, i, name)][:].astype(np.float64)
        def mlp(f, net, x, between=lambda v: np.maximum(v, 0)):
            idx = indices(f, 'weights', net)
            for k, i in enumerate(idx):
                x = x @ w(f, net, i, 'weight').T + w(f, net, i, 'bias')
                if k < len(idx) - 1: x = between(x)
            return x

        """

    static func python(_ script: String) throws -> [Double] {
        let result = try Repository.run("python3", ["-c", prelude + script])
        let numbers = result.output.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Double($0) }
        #expect(result.status == 0, "\(result.output)")
        return numbers
    }

    @Test func pcaBaselineMatchesNumpyAndMetricsAgree() throws {
        let (_, file) = try AnalyzeTests.trained("cis522-linear-ae", ["dataset.subset=512"])
        let analyzed = try Repository.run(RunHarness.genlab, ["analyze", file, "--only", "pca_baseline,metrics", "--set", "pca_baseline.count=300",
                                                              "--set", "metrics.count=300"])
        #expect(analyzed.status == 0, "\(analyzed.output)")
        let numbers = try NotebookAnalysesTests.python("""
            f = h5py.File('\(file)')
            train, x = images('train', 512), images('t10k', 300)
            m = train.mean(0)
            values, vectors = np.linalg.eigh(np.cov(train.T))
            V = vectors[:, ::-1][:, :20]
            pca = ((((x - m) @ V) @ V.T + m - x) ** 2).mean()
            model = ((mlp(f, 'decoder', mlp(f, 'encoder', x)) - x) ** 2).mean()
            a, b = f['analysis/pca_baseline'].attrs, f['analysis/metrics'].attrs
            print(pca, a['mse_pca'], model, a['mse_model'], b['reconstruction_loss'], values[::-1][:20].sum(), a['explained_variance'])
            """)
        try #require(numbers.count == 7)
        #expect(abs(numbers[0] - numbers[1]) < 1e-5 * numbers[0], "PCA \(numbers[1]) vs numpy \(numbers[0])")
        #expect(abs(numbers[2] - numbers[3]) < 1e-5 * numbers[2] && abs(numbers[4] - numbers[2]) < 1e-5 * numbers[2], "model \(numbers[2...4])")
        #expect(abs(numbers[5] - numbers[6]) < 1e-4 * numbers[5])
        #expect(numbers[1] < numbers[3], "30 steps of training do not beat PCA")
    }

    @Test func posteriorFitRaisesTheELBO() throws {
        let (_, file) = try AnalyzeTests.trained("homework-mlp-vae", ["dataset.subset=512", "sweep={}"])
        let analyzed = try Repository.run(RunHarness.genlab, ["analyze", file, "--only", "posterior_fit", "--set", "posterior_fit.steps=400",
                                                              "--set", "posterior_fit.lr=0.01", "--set", "posterior_fit.image=3"])
        #expect(analyzed.status == 0, "\(analyzed.output)")
        let numbers = try NotebookAnalysesTests.python("""
            f = h5py.File('\(file)')
            a = f['analysis/posterior_fit']
            x = images('t10k', 4)[3]
            h = mlp(f, 'encoder', x[None])[0]
            mu, sd = h[:32], np.exp(h[32:])
            rng = np.random.default_rng(0)
            def elbo(m, s):
                z = m + s * rng.standard_normal((20000, 32))
                p = np.clip(1 / (1 + np.exp(-mlp(f, 'decoder', z))), 1e-44, 1)
                ll = (x * np.maximum(np.log(p), -100) + (1 - x) * np.maximum(np.log1p(-p), -100)).sum(1).mean()
                return ll - 0.5 * (m ** 2 + s ** 2 - 1 - 2 * np.log(s)).sum()
            t = a['elbo_trace'][:]
            print(np.abs(mu - a['mu_encoder'][:]).max(), np.abs(sd - a['sigma_encoder'][:]).max(),
                  elbo(a['mu_fitted'][:], a.attrs['sigma_fitted']), a.attrs['elbo_fitted'], elbo(mu, sd), a.attrs['elbo_encoder'],
                  t[:10].mean(), t[-10:].mean(), len(t))
            """)
        try #require(numbers.count == 9)
        #expect(numbers[0] < 1e-5 && numbers[1] < 1e-5, "the encoder's q \(numbers[0...1])")
        #expect(abs(numbers[2] - numbers[3]) < 0.5 && abs(numbers[4] - numbers[5]) < 0.5, "ELBOs: numpy \(numbers[2]), \(numbers[4]); GenLab \(numbers[3]), \(numbers[5])")
        #expect(numbers[7] > numbers[6] + 10 && numbers[3] > numbers[6] && numbers[8] == 400, "ELBO trace \(numbers[6]) → \(numbers[7])")
    }

    @Test func wganInversionAndActivationMaximisation() throws {
        let (_, file) = try AnalyzeTests.trained("lab-wgan", ["dataset.subset=256"])
        let analyzed = try Repository.run(RunHarness.genlab, ["analyze", file, "--only", "inversion,activation_maximisation",
                                                              "--set", "inversion.count=8", "--set", "inversion.steps=200",
                                                              "--set", "activation_maximisation.count=8", "--set", "activation_maximisation.steps=100"])
        #expect(analyzed.status == 0, "\(analyzed.output)")
        let numbers = try NotebookAnalysesTests.python("""
            f = h5py.File('\(file)')
            def generator(z):
                x = z.astype(np.float64)
                for i in indices(f, 'weights', 'generator'):
                    if 'generator/%d.running_mean' % i in f['buffers']:
                        rm, rv = f['buffers/generator/%d.running_mean' % i][:], f['buffers/generator/%d.running_var' % i][:]
                        x = (x - rm) / np.sqrt(rv + 1e-5) * w(f, 'generator', i, 'weight') + w(f, 'generator', i, 'bias')
                    else:
                        x = x @ w(f, 'generator', i, 'weight').T + w(f, 'generator', i, 'bias')
                        x = np.where(x > 0, x, 0.01 * x) if i < 9 else np.tanh(x)
                return x
            inv, act = f['analysis/inversion'], f['analysis/activation_maximisation']
            targets = images('t10k', 8)
            g = generator(inv['z'][:])
            mse = ((g - targets) ** 2).mean(1)
            critic = mlp(f, 'critic', generator(act['z'][:]))[:, 0]
            print(np.abs(inv['targets'][:].reshape(8, -1) - targets).max(), np.abs(g - inv['images'][:].reshape(8, -1)).max(),
                  np.abs(mse - inv['mse_per_image'][:]).max(), inv.attrs['mse_start'], inv.attrs['mse'],
                  np.abs(-critic - act['loss_per_image'][:]).max(), act.attrs['loss_start'], act.attrs['loss'])
            """)
        try #require(numbers.count == 8)
        #expect(numbers[0] < 1e-6 && numbers[1] < 1e-4 && numbers[2] < 1e-5, "inversion against numpy: \(numbers[0...2])")
        #expect(numbers[4] < numbers[3] * 0.9, "inversion MSE \(numbers[3]) → \(numbers[4])")
        #expect(numbers[5] < 1e-5 && numbers[7] < numbers[6], "activation maximisation: \(numbers[5...7])")
    }
}
