import Foundation
import GenLabSpec
import GenLabTestSupport
import Testing

/// `metrics` against closed forms: for a linear-Gaussian VAE (x = W·z + b + σx·noise, z ~
/// N(0, I)) log p(x) = log N(x; b, W·Wᵀ + σx²·I) exactly, the ELBO of a Gaussian q has a
/// closed form too, and so do the KL and the active units, all computed by numpy from the
/// stored weights and the dataset's own files. The importance-weighted estimate must close
/// in on the exact value as k grows.
@Suite struct MetricsTests {
    static let experiment = """
        name: linear-gaussian
        seed: 0
        dataset: {name: fashion-mnist, subset: 4000}
        model:
          kind: vae
          latent: 2
          encoder: [flatten]
          decoder: mirror
          likelihood: gaussian
          sigma_x: 0.5
          reduction: sum
        train:
          epochs: 200
          batch_size: 100
          optimizer: {adam: {lr: 3.0e-3}}
        """

    @Test func importanceWeightedEstimateConvergesToTheExactLikelihood() throws {
        let results = try RunHarness.folder("metrics")
        let file = results + "/linear-gaussian.yaml"
        try MetricsTests.experiment.write(toFile: file, atomically: true, encoding: .utf8)
        let trained = try Repository.run(RunHarness.genlab, ["run", file, "--steps", "6000", "--results", results, "--quiet"])
        #expect(trained.status == 0, "\(trained.output)")
        let relative = try #require((FileManager.default.subpaths(atPath: results) ?? []).first { $0.hasSuffix("run.h5") })
        let run = "\(results)/\(relative)"
        var estimates: [String] = []
        for k in [1, 10, 100, 1000] {
            let options = ["--only", "metrics", "--set", "metrics.count=500", "--set", "metrics.importance_samples=\(k)"]
            let analyzed = try Repository.run(RunHarness.genlab, ["analyze", run] + options)
            #expect(analyzed.status == 0, "\(analyzed.output)")
            let read = try Repository.run("python3", ["-c", """
                import h5py
                a = h5py.File('\(run)')['analysis/metrics'].attrs
                print(a['log_px_iw'], a['elbo'], a['kl'], a['expected_log_likelihood'], a['log_px_given_mu'], a['reconstruction_loss'], a['active_units'])
                """])
            estimates.append(read.output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let script = """
            import h5py, numpy as np, gzip
            f = h5py.File('\(run)')
            W = f['weights/decoder/0.weight'][:].astype(np.float64); b = f['weights/decoder/0.bias'][:].astype(np.float64)
            We = f['weights/encoder/1.weight'][:].astype(np.float64); be = f['weights/encoder/1.bias'][:].astype(np.float64)
            raw = gzip.open('\(DatasetSpec.fashionMNISTDefaultPath)/t10k-images-idx3-ubyte.gz').read()
            x = np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 784)[:500] / 255.0
            s, D, K = 0.5, 784, W.shape[1]
            C = W @ W.T + s * s * np.eye(D)
            logdet = np.linalg.slogdet(C)[1]
            r = x - b
            exact = -0.5 * (D * np.log(2 * np.pi) + logdet + np.einsum('ij,ij->i', r, np.linalg.solve(C, r.T).T))
            h = x @ We.T + be
            mu, sd = h[:, :K], np.exp(h[:, K:])
            res = x - mu @ W.T - b
            ell = -0.5 * ((res ** 2).sum(1) + (sd ** 2 * (W ** 2).sum(0)).sum(1)) / s ** 2 - D * np.log(s) - D / 2 * np.log(2 * np.pi)
            kl = 0.5 * (mu ** 2 + sd ** 2 - 1 - 2 * np.log(sd)).sum(1)
            at_mu = -0.5 * (res ** 2).sum(1) / s ** 2 - D * np.log(s) - D / 2 * np.log(2 * np.pi)
            active = int((mu.var(0, ddof=1) > 0.01).sum())
            print(exact.mean(), (ell - kl).mean(), kl.mean(), ell.mean(), at_mu.mean(), active)
            """
        let reference = try Repository.run("python3", ["-c", script])
        let numbers = { (line: String) in line.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) } }
        let exact = numbers(reference.output), measured = estimates.map(numbers)
        try #require(exact.count == 6 && measured.allSatisfy { $0.count == 7 }, "\(reference.output) \(estimates)")
        let logPx = exact[0], gaps = measured.map { logPx - $0[0] }
        // a lower bound (in expectation) closing in on log p(x) as k grows
        #expect(zip(gaps, gaps.dropFirst()).allSatisfy { $0 > $1 } && gaps[0] > 0.1 && abs(gaps[3]) < 0.03, "log p(x) = \(logPx); gaps \(gaps)")
        let last = measured[3]
        // ELBO and its parts against their closed forms (the expectation over 1000 draws)
        #expect(abs(last[1] - exact[1]) < 0.05 && last[1] < logPx, "ELBO \(last[1]) vs \(exact[1])")
        #expect(abs(last[2] - exact[2]) < 1e-4 * abs(exact[2]), "KL \(last[2]) vs \(exact[2])")
        #expect(abs(last[3] - exact[3]) < 0.05, "E_q log p(x|z) \(last[3]) vs \(exact[3])")
        // at z = μ: log p(x|μ), and the training's term (a Gaussian NLL summed per image)
        #expect(abs(last[4] - exact[4]) < 1e-3 && abs(last[5] + exact[4]) < 1e-3, "log p(x|μ) \(last[4]), loss \(last[5]) vs \(exact[4])")
        #expect(last[6] == exact[5] && exact[5] == 2)
        // with k = 1 the estimate is the single-draw ELBO: below the closed-form ELBO's bound by noise only
        #expect(abs(measured[0][0] - exact[1]) < 0.3)
    }
}
