import CImageCodecs
import Foundation
import GenLabAnalysis
import GenLabModels
import GenLabReport
import GenLabResults
import GenLabStore
import GenLabSweeps
import GenLabTensor
import GenLabTestSupport
import GenLabTraining
import Testing

/// `genlab analyze` from outside: pictures and `/analysis/` groups, checked against an
/// independent computation (numpy on the stored weights) and against the decoded PNGs.
@Suite struct AnalyzeTests {
    /// A short run of `name` in a new results folder; returns the folder and the run file.
    static func trained(_ name: String, _ overrides: [String]) throws -> (results: String, file: String) {
        let results = try RunHarness.folder("analyze")
        let run = try Repository.run(RunHarness.genlab, ["run", RunHarness.experimentFile(name), "--steps", "30", "--results", results, "--quiet"]
                                     + overrides.flatMap { ["--set", $0] })
        #expect(run.status == 0, "\(run.output)")
        let file = try #require((FileManager.default.subpaths(atPath: results) ?? []).first { $0.hasSuffix("run.h5") })
        return (results, "\(results)/\(file)")
    }

    static func analysis(_ file: String, _ name: String) throws -> AnalysisRecord {
        try #require(try RunFile.readAnalyses(path: file).first { $0.name == name })
    }

    static func array(_ record: AnalysisRecord, _ name: String) throws -> [Float] {
        try #require(record.arrays.first { $0.name == name }?.floats)
    }

    @Test func autoencoderReconstructionsMatchNumpyAndThePicture() throws {
        let (results, file) = try AnalyzeTests.trained("homework-mlp-ae", ["dataset.subset=512"])
        // without --only: the analyses homework-mlp-ae.yaml declares, with this count
        let analyzed = try Repository.run(RunHarness.genlab, ["analyze", results, "--set", "reconstructions.count=4"])
        #expect(analyzed.status == 0 && analyzed.output.hasSuffix(": reconstructions, samples\n"), "\(analyzed.output)")
        let record = try AnalyzeTests.analysis(file, "reconstructions")
        #expect(record.arrays.first { $0.name == "test_inputs" }?.shape == [4, 1, 28, 28])

        // numpy: the MLP's linear layers in order, ReLU between, sigmoid at the end
        let script = """
            import h5py, numpy as np
            with h5py.File('\(file)') as f:
                def layers(net):
                    g = f['weights/' + net]
                    idx = sorted({int(k.split('.')[0]) for k in g})
                    return [(g['%d.weight' % i][:], g['%d.bias' % i][:]) for i in idx]
                def forward(x, net):
                    ls = layers(net)
                    for k, (w, b) in enumerate(ls):
                        x = x @ w.T.astype(np.float64) + b
                        if k < len(ls) - 1: x = np.maximum(x, 0)
                    return x
                a = f['analysis/reconstructions']
                for part in ('holdout', 'test'):
                    x = a[part + '_inputs'][:].reshape(len(a[part + '_inputs']), -1).astype(np.float64)
                    x = 1 / (1 + np.exp(-forward(forward(x, 'encoder'), 'decoder')))
                    print(part, float(np.abs(x - a[part + '_outputs'][:].reshape(x.shape)).max()))
            """
        let python = try Repository.run("python3", ["-c", script])
        let errors = python.output.split(separator: "\n").compactMap { line -> Double? in line.split(separator: " ").last.flatMap { Double($0) } }
        #expect(errors.count == 2 && errors.allSatisfy { $0 < 1e-5 }, "\(python.output)")

        // the picture: holdout inputs above outputs, make_grid's layout (padding 2, white)
        var image = genlab_image()
        var message = [CChar](repeating: 0, count: 256)
        let picture = (file as NSString).deletingLastPathComponent + "/analysis/reconstructions_holdout.png"
        #expect(genlab_image_decode(picture, &image, &message, message.count) == 0, "\(String(cString: message))")
        defer { genlab_image_free(&image) }
        let width = Int(image.width)
        #expect(width == 10 * 30 + 2 && image.height == 2 * 30 + 2 && image.channels == 1)
        let inputs = try AnalyzeTests.array(record, "holdout_inputs"), outputs = try AnalyzeTests.array(record, "holdout_outputs")
        let byte = { (x: Float) in UInt8(max(0, min(255, x * 255 + 0.5))) }
        #expect(image.pixels[0] == 255)
        let first: UInt8 = image.pixels[2 * width + 2], inside: UInt8 = image.pixels[(32 + 5) * width + 30 + 2 + 7]
        #expect(first == byte(inputs[0]))
        #expect(inside == byte(outputs[784 + 5 * 28 + 7]))

        // a point being trained (its lock held, here by the test) is not analysed under it
        var lock: RunLock? = try RunLock(folder: (file as NSString).deletingLastPathComponent)
        let refused = try Repository.run(RunHarness.genlab, ["analyze", file, "--only", "samples"])
        #expect(refused.status == 1 && refused.output.contains("(pid \(getpid())) is training this point"), "\(refused.output)")
        withExtendedLifetime(lock) {}
        lock = nil

        // a rerun of one analysis gives the same numbers and leaves the others alone
        let samples = try AnalyzeTests.analysis(file, "samples")
        let again = try Repository.run(RunHarness.genlab, ["analyze", file, "--only", "samples"])
        #expect(again.status == 0, "\(again.output)")
        #expect(try AnalyzeTests.analysis(file, "samples") == samples)
        #expect(try AnalyzeTests.analysis(file, "reconstructions") == record)

        // the latent scatter's PCA against numpy's SVD of the same μ
        let scatter = try Repository.run(RunHarness.genlab, ["analyze", file, "--only", "latent_scatter", "--set", "latent_scatter.count=500"])
        #expect(scatter.status == 0, "\(scatter.output)")
        let pca = """
            import h5py, numpy as np
            with h5py.File('\(file)') as f:
                a = f['analysis/latent_scatter']
                mu = a['mu'][:].astype(np.float64)
                c = mu - mu.mean(0)
                _, s, vt = np.linalg.svd(c, full_matrices=False)
                var = s ** 2 / (len(mu) - 1)
                comp = a['pca_components'][:]
                print(len(mu), np.abs(var - a['pca_explained_variance'][:]).max() / var.max(),
                      max(min(np.abs(vt[i] - comp[i]).max(), np.abs(vt[i] + comp[i]).max()) for i in range(5)),
                      np.abs(c @ comp[:2].T - a['projected'][:500]).max())
            """
        let numbers = try Repository.run("python3", ["-c", pca]).output.split(separator: " ")
            .compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(numbers.count == 4 && numbers[0] == 500 && numbers[1] < 1e-4 && numbers[2] < 1e-3 && numbers[3] < 1e-3, "\(numbers)")
        #expect(FileManager.default.fileExists(atPath: (file as NSString).deletingLastPathComponent + "/analysis/latent_scatter.png"))

        // grids, traversal and interpolation: numpy's decoder of each stored z gives the stored images
        let decoded = try Repository.run(RunHarness.genlab, ["analyze", file, "--only", "latent_grid,traversal,interpolation",
                                                             "--set", "latent_grid.points=4", "--set", "latent_grid.count=300",
                                                             "--set", "traversal.points=3", "--set", "interpolation.steps=5"])
        #expect(decoded.status == 0, "\(decoded.output)")
        let decoder = """
            import h5py, numpy as np
            with h5py.File('\(file)') as f:
                g = f['weights/decoder']
                idx = sorted({int(k.split('.')[0]) for k in g})
                def decode(z):
                    x = z.astype(np.float64)
                    for k, i in enumerate(idx):
                        x = x @ g['%d.weight' % i][:].T.astype(np.float64) + g['%d.bias' % i][:]
                        if k < len(idx) - 1: x = np.maximum(x, 0)
                    return 1 / (1 + np.exp(-x))
                out = []
                for name, zs, images in [('latent_grid', 'z', 'images'), ('latent_grid', 'z_pca', 'images_pca'),
                                         ('traversal', 'z', 'images'), ('interpolation', 'z', 'images')]:
                    a = f['analysis/' + name]
                    out.append(np.abs(decode(a[zs][:]) - a[images][:].reshape(len(a[zs]), -1)).max())
                a = f['analysis/latent_grid']
                m, v, lam = a['pca_mean'][:], a['pca_components'][:], a['pca_explained_variance'][:]
                coords = (a['z_pca'][:] - m) @ v.T / np.sqrt(lam)
                out.append(np.abs(coords[0] - [-3, 3]).max())      # top left: a = -range, b = +range
                t = f['analysis/traversal']['z'][:]
                out.append(float(np.count_nonzero(t[0] != t[1])))   # one dimension moves along a row
                i = f['analysis/interpolation']['z'][:]
                out.append(np.abs(i[2] - (i[0] + i[4]) / 2).max())  # the middle is the mean of the ends
                print(' '.join(str(float(x)) for x in out))
            """
        let checks = try Repository.run("python3", ["-c", decoder]).output.split(separator: " ")
            .compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(checks.count == 7 && checks[0..<4].allSatisfy { $0 < 1e-5 } && checks[4] < 1e-3 && checks[5] == 1 && checks[6] < 1e-6, "\(checks)")
    }

    @Test func generatorSamplesAreGOfTheStoredNoise() throws {
        let (results, file) = try AnalyzeTests.trained("lab-wgan", ["dataset.subset=256"])
        let refused = try Repository.run(RunHarness.genlab, ["analyze", file, "--only", "reconstructions"])
        #expect(refused.status == 1 && refused.output.contains("\(file): 'reconstructions' applies to ae, vae, cvae, hvae; this run is a wgan"), "\(refused.output)")
        let analyzed = try Repository.run(RunHarness.genlab, ["analyze", results])  // lab-wgan.yaml declares samples
        #expect(analyzed.status == 0 && analyzed.output.hasSuffix(": samples\n"), "\(analyzed.output)")
        let record = try AnalyzeTests.analysis(file, "samples")
        let z = try #require(record.arrays.first { $0.name == "z" })
        let run = try TrainedRun(path: file)
        let images = try run.generative.samples(holdout: Tensor(zeros: [0]), noise: try Tensor(shape: z.shape, values: z.floats ?? []))
        // lab-wgan normalises x/255, so G's output is on the pixel scale (up to rounding)
        let pixels = images.values
        let stored = try AnalyzeTests.array(record, "images")
        let difference = zip(pixels, stored).map { abs($0 - $1) }.max() ?? .infinity
        #expect(pixels.count == stored.count && difference < 1e-5, "largest difference \(difference); \(pixels.prefix(3)) vs \(stored.prefix(3))")
    }

    /// A conditional GAN's samples: a row per class, G(z) with each row's label.
    @Test func conditionalGeneratorSamplesTakeARowPerClass() throws {
        let (results, file) = try AnalyzeTests.trained("lab-wgan", ["dataset.subset=256", "model.classes=10"])
        let analyzed = try Repository.run(RunHarness.genlab, ["analyze", results, "--set", "samples.columns=2"])
        #expect(analyzed.status == 0, "\(analyzed.output)")
        let record = try AnalyzeTests.analysis(file, "samples")
        guard case .int64(let labels)? = record.arrays.first(where: { $0.name == "labels" })?.values else {
            Issue.record("no integer labels array")
            return
        }
        #expect(labels == (0..<20).map { Int64($0 / 2) })
        let z = try #require(record.arrays.first { $0.name == "z" })
        let gan = try #require(try TrainedRun(path: file).generative as? AdversarialModel)
        let images = try gan.generate(try Tensor(shape: z.shape, values: z.floats ?? []), labels: labels.map { Int32($0) })
        let stored = try AnalyzeTests.array(record, "images")
        let difference = zip(images.values, stored).map { abs($0 - $1) }.max() ?? .infinity
        #expect(images.count == stored.count && difference < 1e-5, "largest difference \(difference)")
    }

    /// An experiment's `analysis` section runs after each point trains (in a worker too),
    /// changes no run id, is checked by `validate` at its place, and is what `genlab analyze`
    /// runs again by default.
    @Test func declaredAnalysesRunAfterTraining() throws {
        let file = RunHarness.experimentFile("homework-mlp-ae")
        let options = ["--steps", "10", "--set", "dataset.subset=512", "--set", "sweep.grid.seed=[0, 1]"]
        let declared = ["--set", "analysis={reconstructions: {count: 3}, samples: {count: 4}}"]
        let plain = try Repository.run(RunHarness.genlab, ["plan", file] + options).output
        let withAnalyses = try Repository.run(RunHarness.genlab, ["plan", file] + options + declared).output
        #expect(plain == withAnalyses && plain.contains("seed=1-"), "the analysis section changed the run ids")
        let results = try RunHarness.folder("declared")
        let run = try Repository.run(RunHarness.genlab, ["run", file, "--jobs", "2", "--results", results, "--quiet"] + options + declared)
        #expect(run.status == 0, "\(run.output)")
        let files = ((FileManager.default.subpaths(atPath: results) ?? []).filter { $0.hasSuffix("run.h5") }).sorted()
        #expect(files.count == 2)
        for relative in files {
            let path = "\(results)/\(relative)"
            let analyses = try RunFile.readAnalyses(path: path)
            #expect(analyses.map(\.name) == ["reconstructions", "samples"], "\(relative)")
            #expect(analyses.first { $0.name == "samples" }?.arrays.first { $0.name == "images" }?.shape == [4, 1, 28, 28])
            let log = String(decoding: FileManager.default.contents(atPath: (path as NSString).deletingLastPathComponent + "/run.log") ?? Data(), as: UTF8.self)
            #expect(log.contains("analyses: reconstructions, samples"), "\(log)")
        }
        let again = try Repository.run(RunHarness.genlab, ["analyze", "\(results)/\(files[0])"])
        #expect(again.output.hasSuffix(": reconstructions, samples\n"), "\(again.output)")

        let bad = try RunHarness.folder("badanalysis") + "/bad.yaml"
        let text = "name: bad\ndataset: {name: fashion-mnist}\nmodel:\n  kind: ae\n  latent: 2\n  encoder: [flatten]\n  decoder: mirror\n"
            + "analysis:\n  samples: {count: 4}\n  latent_grd: {}\n"
        try text.write(toFile: bad, atomically: true, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count - 1
        let validated = try Repository.run(RunHarness.genlab, ["validate", bad])
        #expect(validated.status == 1 && validated.output.contains("\(bad):\(lines):3: unknown analysis 'latent_grd'") && validated.output.contains("latent_grid"),
                "\(validated.output)")
    }
}
