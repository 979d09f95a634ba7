import Foundation
import GenLabAnalysis
import GenLabData
import GenLabReport
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabSweeps
import GenLabTensor
import GenLabTestSupport
import GenLabTraining
import Testing

/// GenLab's evaluation classifier and the generator scores built on it: the classifier's
/// accuracy and bit-reproducibility, the Fréchet distance against SciPy on the same features,
/// its behaviour on the test set (two halves, noise, blur), and a trained DCGAN against the
/// same network after one step.
@Suite(.serialized) struct GeneratorScoreTests {
    /// One cache for the suite, so the classifier is trained once.
    static let cache: String = (try? TestFolder.make("classifier-cache").path) ?? NSTemporaryDirectory()

    static func genlab(_ arguments: [String], cache: String = cache) throws -> (status: Int32, output: String) {
        try Repository.run("GENLAB_CACHE=\(cache)", [RunHarness.genlab] + arguments)
    }

    static var fashion: DatasetSpec { get throws { try Experiment.parse("name: c\ndataset: {name: fashion-mnist}\nmodel: {kind: ae, latent: 2, encoder: [flatten], decoder: mirror}\n", file: "c.yaml").dataset } }

    static func trained() throws -> TrainedClassifier {
        try TrainedClassifier.load(try fashion, datasets: DatasetCache(), cache: cache)
    }

    @Test func classifierIsAccurateAndReproducible() throws {
        let file = RunHarness.experimentFile("lab-wgan")
        let full = try GeneratorScoreTests.genlab(["classifier", file])
        #expect(full.status == 0, "\(full.output)")
        let tail = full.output.components(separatedBy: "test accuracy ").last ?? ""
        let accuracy = try #require(Double(tail.prefix { !$0.isWhitespace }), "\(full.output)")
        #expect(accuracy >= 0.89, "\(full.output)")
        // the analyses find the same classifier in the cache, with its accuracy
        #expect(abs(try GeneratorScoreTests.trained().testAccuracy - accuracy) < 1e-4)

        // one epoch twice, in two caches (and on one thread against two): the same bits
        let first = try TestFolder.make("classifier-a").path, second = try TestFolder.make("classifier-b").path
        for cache in [first, second] {
            let run = try GeneratorScoreTests.genlab(["classifier", file, "--epochs", "1"], cache: cache)
            #expect(run.status == 0, "\(run.output)")
        }
        let path = TrainedClassifier.path(for: TrainedClassifier.pixelSpec(try GeneratorScoreTests.fashion), seed: 0, epochs: 1, cache: first)
        let a = try ArrayFile.read(path: path)
        let b = try ArrayFile.read(path: path.replacingOccurrences(of: first, with: second))
        #expect(a.arrays.count == 8 && a.arrays == b.arrays)
    }

    /// `record.validation.fd`: the Fréchet distance at each validation is the `fd` analysis of
    /// the weights then — the last one equals the analysis of the final run file with the same
    /// count; without the classifier in the cache, `run` refuses to start, saying how to train it.
    @Test func validationFrechetDistanceIsTheAnalysis() throws {
        _ = try GeneratorScoreTests.trained()
        let file = RunHarness.experimentFile("lab-dcgan")
        let results = try RunHarness.folder("fd-validation")
        let options = ["--steps", "4", "--set", "dataset.subset=256", "--set", "record.validation={every: 2, count: 64, fd: true}",
                       "--set", "analysis={fd: {count: 64}}", "--set", "record.losses_every=1"]
        let run = try GeneratorScoreTests.genlab(["run", file, "--results", results] + options)
        #expect(run.status == 0, "\(run.output)")
        let folder = "\(results)/lab-dcgan"
        let runID = try #require(try FileManager.default.contentsOfDirectory(atPath: folder).first { $0.hasPrefix("base-") })
        let path = "\(folder)/\(runID)/run.h5"
        let fd = try #require(try RunFile.read(path: path).history.columns["validation.fd"])
        #expect(fd.map(\.isFinite) == [false, true, false, true], "\(fd)")
        let analysis = try #require(try RunFile.readAnalyses(path: path).first { $0.name == "fd" })
        let number = try #require(AnalysisCatalog.measured(analysis).first { $0.name.hasPrefix("fd_") })
        #expect(Float(number.value) == fd[3] && fd[1] != fd[3], "validation.fd \(fd), analysis \(number.value)")

        let empty = try TestFolder.make("empty-cache").path
        let refused = try GeneratorScoreTests.genlab(["run", file, "--results", try RunHarness.folder("fd-refused")] + options, cache: empty)
        #expect(refused.status == 1 && refused.output.contains("'record.validation.fd' needs the evaluation classifier of fashion-mnist in the cache ('genlab classifier"), "\(refused.output)")
    }

    @Test func frechetDistanceMatchesSciPyAndGrowsWithDamage() throws {
        let classifier = try GeneratorScoreTests.trained()
        let test = classifier.dataset.test
        let (halfA, _) = try classifier.evaluate(test.subset(Array(0..<5000)))
        let (halfB, _) = try classifier.evaluate(test.subset(Array(5000..<10000)))
        let clean = BatchLoader.whole(test.prefix(5000), normalization: .unit).images
        // Gaussian noise of growing σ, and box blurs of growing radius, on the first half
        var noisy: [Double] = [], blurred: [Double] = []
        var generator = RandomGenerator(seed: 3)
        let noise = Tensor(zeros: clean.shape)
        generator.fillNormal(noise.buffer)
        for sigma: Float in [0.05, 0.1, 0.2, 0.4] {
            let damaged = clean.clone()
            for i in 0..<damaged.count { damaged[i] = min(1, max(0, damaged[i] + sigma * noise[i])) }
            noisy.append(FrechetDistance(try classifier.evaluate(damaged).features, halfB, dimension: 128).distance)
        }
        for radius in [1, 2, 3] {
            let damaged = clean.clone()
            for n in 0..<clean.shape[0] {
                for y in 0..<28 {
                    for x in 0..<28 {
                        var sum: Float = 0, count: Float = 0
                        for dy in -radius...radius { for dx in -radius...radius where (0..<28).contains(y + dy) && (0..<28).contains(x + dx) {
                            sum += clean[n * 784 + (y + dy) * 28 + x + dx]
                            count += 1
                        } }
                        damaged[n * 784 + y * 28 + x] = sum / count
                    }
                }
            }
            blurred.append(FrechetDistance(try classifier.evaluate(damaged).features, halfB, dimension: 128).distance)
        }
        let halves = FrechetDistance(halfA, halfB, dimension: 128).distance
        // two halves of the test set: a small bias of the finite sample, far below any damage
        #expect(halves < 0.25 * noisy[0] && halves < 0.01 * noisy[3] && halves < 0.05 * blurred[0], "halves \(halves), noise \(noisy), blur \(blurred)")
        #expect(zip(noisy, noisy.dropFirst()).allSatisfy { $0 < $1 } && zip(blurred, blurred.dropFirst()).allSatisfy { $0 < $1 }, "noise \(noisy), blur \(blurred)")

        // SciPy's sqrtm on the same features
        let folder = try TestFolder.make("fd")
        for (name, values) in [("a", halfA), ("b", halfB)] {
            try values.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: folder.appendingPathComponent("\(name).f32"))
        }
        let scipy = try Repository.run("python3", ["-c", """
            import warnings, numpy as np, scipy.linalg
            warnings.simplefilter('ignore')  # sqrtm warns about the singular covariances of dead ReLU features
            a = np.fromfile('\(folder.path)/a.f32', np.float32).reshape(-1, 128).astype(np.float64)
            b = np.fromfile('\(folder.path)/b.f32', np.float32).reshape(-1, 128).astype(np.float64)
            ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
            root = scipy.linalg.sqrtm(ca @ cb).real
            print(((a.mean(0) - b.mean(0)) ** 2).sum() + np.trace(ca) + np.trace(cb) - 2 * np.trace(root))
            """])
        let reference = try #require(Double(scipy.output.trimmingCharacters(in: .whitespacesAndNewlines)), "\(scipy.output)")
        #expect(abs(halves - reference) <= 1e-3 * abs(reference), "GenLab \(halves), SciPy \(reference)")
    }

    static let dcgan = """
        name: tiny-dcgan
        seed: 0
        dataset: {name: fashion-mnist, subset: 8192}
        model:
          kind: gan
          latent: 16
          init: dcgan
          loss: bce
          generator:
            - linear: {out: 3136, bias: false}
            - unflatten: [64, 7, 7]
            - batchnorm
            - relu
            - conv_transpose2d: {out: 32, kernel: 4, stride: 2, padding: 1, bias: false}
            - batchnorm
            - relu
            - conv_transpose2d: {out: 1, kernel: 4, stride: 2, padding: 1}
            - sigmoid
          discriminator:
            - conv2d: {out: 32, kernel: 4, stride: 2, padding: 1}
            - leaky_relu: {slope: 0.2}
            - conv2d: {out: 64, kernel: 4, stride: 2, padding: 1, bias: false}
            - batchnorm
            - leaky_relu: {slope: 0.2}
            - flatten
            - linear: {out: 1}
            - sigmoid
        train:
          steps: 400
          batch_size: 64
          optimizer: {adam: {lr: 2.0e-4, betas: [0.5, 0.999]}}
        analysis:
          fd: {count: 2000, store_features: true}
          classifier_score: {count: 2000}
          mode_coverage: {count: 2000}
          memorisation: {count: 200}

        """

    @Test func trainedDCGANScoresBetterThanAfterOneStep() throws {
        _ = try GeneratorScoreTests.trained()
        let folder = try TestFolder.make("dcgan")
        let file = folder.appendingPathComponent("tiny-dcgan.yaml").path
        try GeneratorScoreTests.dcgan.write(toFile: file, atomically: true, encoding: .utf8)
        var files: [String] = []
        for steps in [1, 400] {
            let results = folder.appendingPathComponent("results-\(steps)").path
            let run = try GeneratorScoreTests.genlab(["run", file, "--steps", "\(steps)", "--results", results, "--quiet"])
            #expect(run.status == 0, "\(run.output)")
            files.append(try #require((FileManager.default.subpaths(atPath: results) ?? []).first { $0.hasSuffix("run.h5") }).map { "\(results)/\($0)" } ?? "")
        }
        let values = try files.map { path -> [String: Double] in
            var numbers: [String: Double] = [:]
            for record in try RunFile.readAnalyses(path: path) {
                for (name, value) in record.attributes {
                    switch value {
                    case .number(let x): numbers["\(record.name).\(name)"] = x
                    case .integer(let n): numbers["\(record.name).\(name)"] = Double(n)
                    case .text: break
                    }
                }
            }
            return numbers
        }
        let fd = "fd.fd_genlab_cnn_v1"
        #expect((values[1][fd] ?? .infinity) < 0.5 * (values[0][fd] ?? 0), "FD after 1 step \(values[0][fd] ?? .nan), after 400 \(values[1][fd] ?? .nan)")
        #expect((values[1]["classifier_score.score"] ?? 0) > (values[0]["classifier_score.score"] ?? .infinity))
        #expect((values[1]["mode_coverage.entropy"] ?? 0) > (values[0]["mode_coverage.entropy"] ?? .infinity))
        #expect(values[1]["memorisation.median_generated"] != nil && values[1]["classifier_score.score_test"] ?? 0 > 5)

        // the stored features give SciPy the stored distance
        let check = try Repository.run("python3", ["-c", """
            import warnings, h5py, numpy as np, scipy.linalg
            warnings.simplefilter('ignore')
            a = h5py.File('\(files[1])')['analysis/fd']
            g, t = a['features_generated'][:].astype(np.float64), a['features_test'][:].astype(np.float64)
            cg, ct = np.cov(g, rowvar=False), np.cov(t, rowvar=False)
            fd = ((g.mean(0) - t.mean(0)) ** 2).sum() + np.trace(cg) + np.trace(ct) - 2 * np.trace(scipy.linalg.sqrtm(cg @ ct).real)
            print(fd, a.attrs['fd_genlab_cnn_v1'])
            """])
        let pair = check.output.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Double($0) }
        #expect(pair.count == 2 && abs(pair[0] - pair[1]) <= 1e-3 * pair[0], "\(check.output)")
        // compare shows the scores as columns
        let compared = try GeneratorScoreTests.genlab(["compare", folder.appendingPathComponent("results-400").path + "/tiny-dcgan", "--format", "csv"])
        #expect(compared.output.contains(fd) && compared.output.contains("mode_coverage.modes_covered"), "\(compared.output)")
    }
}
