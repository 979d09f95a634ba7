import Foundation
import GenLabTestSupport
import Testing

/// Analyses at a legal latent size of 4096 stay within what the defaults promise (seconds,
/// not minutes; megabytes, not gigabytes): `traversal` decodes the first 64 dimensions,
/// `latent_scatter` and `latent_grid` compute the leading components by subspace iteration,
/// which equal numpy's eigenvectors of the stored μ's covariance.
@Suite struct LargeLatentAnalysisTests {
    @Test func analysesAtLatent4096AreBoundedAndRight() throws {
        let results = try RunHarness.folder("latent-4096")
        let train = try Repository.run(RunHarness.genlab, [
            "run", RunHarness.experimentFile("homework-mlp-ae"), "--set", "model.latent=4096", "--set", "dataset.subset=512",
            "--set", "record={losses_every: 1}", "--steps", "2", "--results", results, "--quiet"])
        try #require(train.status == 0, "\(train.output)")
        let runFile = "\(results)/\(try #require(FileManager.default.subpaths(atPath: results)?.first { $0.hasSuffix("run.h5") }))"
        // under 4 GiB of address space and a minute, as a hang or a giant allocation would not be
        let analyze = try Repository.run("sh", ["-c", "ulimit -v 4194304; exec timeout 120 \"$0\" analyze \"$1\" --only traversal,latent_grid,latent_scatter 2>&1",
                                                RunHarness.genlab, runFile])
        try #require(analyze.status == 0, "\(analyze.output)")
        let check = try Repository.run("python3", ["-c", """
            import sys, h5py, numpy as np
            with h5py.File(sys.argv[1], "r") as f:
                a = f["analysis/latent_scatter"]
                mu = a["mu"][:].astype(np.float64)
                components, variance = a["pca_components"][:], a["pca_explained_variance"][:]
                assert components.shape == (16, 4096) and variance.shape == (16,), (components.shape, variance.shape)
                w, v = np.linalg.eigh(np.cov(mu, rowvar=False))
                w, v = w[::-1], v[:, ::-1]
                for i in range(2):
                    assert abs(variance[i] - w[i]) <= 1e-3 * w[0], (i, variance[i], w[i])
                    assert abs(abs(np.dot(components[i], v[:, i])) - 1) < 1e-3, (i, np.dot(components[i], v[:, i]))
                grid = f["analysis/latent_grid"]["pca_components"][:]
                assert grid.shape == (2, 4096) and all(abs(abs(np.dot(grid[i], v[:, i])) - 1) < 1e-3 for i in range(2))
                z = f["analysis/traversal"]["z"]
                assert z.shape == (64 * 9, 4096), z.shape
                print("ok")
            """, runFile])
        #expect(check.output == "ok\n", "\(check.output)")
    }
}
