import Foundation
import GenLabAnalysis
import GenLabData
import GenLabModels
import GenLabNN
import GenLabReport
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabSweeps
import GenLabTestSupport
import GenLabTraining
import Testing

/// Learning (not just running), exact resume, failure on non-finite losses, interruption.
@Suite struct TrainingTests {
    /// One epoch of the ARENA conv VAE (β 0.1, latent 5, hidden 100, batch 512, Adam 1e-3
    /// (0.5, 0.999), inputs normalised with 0.2860 / 0.3530) on Fashion-MNIST ends near
    /// PyTorch's 0.32 training reconstruction loss, and the test set reconstructs as well.
    @Test func quickstartLearnsLikePyTorch() throws {
        let point = try RunHarness.point("quickstart", [], length: .epochs(1))
        let (outcome, contents) = try RunHarness.run(point, results: try RunHarness.folder("learn"))
        #expect(outcome == .completed)
        let rec = try #require(contents.history.columns["reconstruction"])
        let final = rec.suffix(4).reduce(0, +) / 4
        #expect(rec[0] > 0.6, "starts high: \(rec[0])")
        #expect(final > 0.25 && final < 0.38, "training reconstruction at the end of epoch 1: \(final)")

        let model = try BuiltModel(point.experiment)
        _ = try RunCheckpoint.restore(try #require(contents.state), into: model, optimizers: [:], path: "run.h5")
        let trainer = try #require(model.generativeModel() as? LatentModel)
        let dataset = try DatasetLoader.load(point.experiment.dataset).dataset
        let loader = BatchLoader(images: dataset.test, batchSize: 1000, dropLast: false, shuffle: false, seed: 0,
                                 normalization: point.experiment.dataset.normalization)
        var squares = 0.0, count = 0
        for index in 0..<loader.batchesPerEpoch {
            loader.load(epoch: 0, index: index)
            let reconstruction = try trainer.decode(try trainer.encode(loader.batch, labels: [])[0].mu, labels: [], level: 0)
            for i in 0..<reconstruction.count {
                let d = Double(reconstruction[i] - loader.batch[i])
                squares += d * d
            }
            count += reconstruction.count
        }
        let testMSE = squares / Double(count)
        #expect(testMSE > 0.2 && testMSE < 0.38, "test-set reconstruction MSE \(testMSE)")
        #expect(contents.latents.first?.mu.shape == [5000, 5])
    }

    /// The homework MLP VAE's three runs, β = 0, 10 and the tuned 0.105 (here 2 epochs each:
    /// `training(for:)` wins over the sweep's epochs): as β grows, KL falls and the
    /// reconstruction error rises.
    @Test func betaSweepOrdersKLAndReconstruction() throws {
        let path = Repository.root.appendingPathComponent("experiments/homework-mlp-vae.yaml").path
        let experiment = try Experiment.load(path: path)
            .overriding(try ["dataset.subset=12000", "record.losses_every=1"].map(Override.commandLine))
            .training(for: .epochs(2))
        let points = try experiment.points().sorted { $0.experiment.model.autoencoder!.beta < $1.experiment.model.autoencoder!.beta }
        #expect(points.map { $0.experiment.model.autoencoder!.beta } == [0, 0.105, 10])
        #expect(points.allSatisfy { $0.experiment.train.length == .epochs(2) })
        let results = try RunHarness.folder("beta")
        var kl: [Float] = [], rec: [Float] = []
        for point in points {
            let contents = try RunHarness.run(point, results: results).contents
            kl.append(try #require(contents.history.columns["kl"]).suffix(20).reduce(0, +) / 20)
            rec.append(try #require(contents.history.columns["reconstruction"]).suffix(20).reduce(0, +) / 20)
        }
        #expect(kl[0] > kl[1] && kl[1] > kl[2], "KL by β: \(kl)")
        #expect(rec[0] < rec[1] && rec[1] < rec[2], "reconstruction by β: \(rec)")
        #expect(kl[2] < 0.05, "β = 10 collapses the posterior: KL \(kl[2])")
    }

    /// N steps straight vs N/2 steps, stop, resume to N: the same bits in every weight,
    /// buffer and optimizer moment, and the same history (dropout masks included).
    @Test(arguments: [
        ("arena-conv-vae", ["dataset.subset=256", "train.batch_size=32"], 12, 5),
        ("lab-bn-vae", ["dataset.subset=256", "train.batch_size=32", "record.latents={every: epoch, count: 16}"], 12, 6),
        ("lab-wgan", ["dataset.subset=256", "train.batch_size=32"], 12, 7),
        // the penalty's ε come from the training noise, after each critic step's fake batch
        ("lab-wgan-gp", ["dataset.subset=256", "train.batch_size=32", "model.critic_steps=2"], 12, 5),
        // a conditional WGAN-GP (labels as columns), a conditional hinge GAN (as channels), least squares
        ("lab-wgan-gp", ["dataset.subset=256", "train.batch_size=32", "model.critic_steps=2", "model.classes=10"], 10, 4),
        ("homework-dcgan-cifar", ["train.batch_size=16", "model.loss=hinge", "model.classes=10"], 8, 4),
        ("homework-dcgan-cifar", ["train.batch_size=16", "model.loss=least_squares"], 8, 3),
        ("cis522-conv-vae", ["dataset.subset=64", "train.batch_size=8", "model.samples=2"], 10, 3),
        ("homework-dcgan-cifar", ["train.batch_size=16"], 8, 4),
        ("arena-hierarchical-vae", ["dataset.subset=256", "train.batch_size=32"], 10, 4),
        // the block shuffle's order, stopped mid-epoch and continued into the next
        ("arena-conv-vae", ["dataset.subset=256", "train.batch_size=32", "dataset.shuffle=block"], 12, 5),
        // bf16 products (oneDNN's bf16 kernels, rounded operands for the thin layers, AMX matmul)
        ("arena-conv-vae", ["dataset.subset=256", "train.batch_size=32", "train.precision=bf16"], 10, 4),
        ("lab-dcgan", ["dataset.subset=128", "train.batch_size=32", "train.precision=bf16"], 6, 2),
        ("quickstart", ["dataset.subset=256", "train.batch_size=32", "record.latents={every: epoch, count: 16}",
                        "model.encoder=[{conv2d: {out: 8, kernel: 4, stride: 2, padding: 1}}, {dropout2d: {p: 0.2}}, relu, flatten, {dropout: {p: 0.3}}, {linear: {out: 32}}, relu]"],
         10, 4),
    ])
    func resumeIsBitIdentical(_ name: String, _ overrides: [String], _ steps: Int, _ stop: Int) throws {
        // a bf16 file is refused on a CPU without AMX or AVX512-BF16 (`PrecisionSpecTests`)
        guard !overrides.contains("train.precision=bf16") || Precision.hasNativeBF16 else { return }
        var all = overrides + ["record.losses_every=1", "record.samples={every: 3, count: 4}", "record.checkpoint={every: 100}"]
        if name == "homework-dcgan-cifar" { all.append("dataset={name: cifar10, path: \(try RunHarness.tinyCIFAR())}") }
        let point = try RunHarness.point(name, all, length: .steps(steps))
        let straight = try RunHarness.run(point, results: try RunHarness.folder("straight")).contents

        let results = try RunHarness.folder("resumed")
        let first = try RunHarness.run(point, results: results, stopAfter: stop)
        #expect(first.outcome == .interrupted)
        #expect(first.contents.metadata.status == .interrupted && first.contents.state?.progress.step == Int64(stop))
        let resumed = try RunHarness.run(point, results: results)
        #expect(resumed.outcome == .completed && resumed.contents.metadata.status == .completed)

        let a = RunHarness.weightBits(straight), b = RunHarness.weightBits(resumed.contents)
        #expect(a.count > 0 && a.keys.sorted() == b.keys.sorted())
        for key in a.keys.sorted() { #expect(a[key] == b[key], "\(key) differs after resume") }
        #expect(straight.state?.rng == resumed.contents.state?.rng)
        #expect(straight.history == resumed.contents.history)
        #expect(straight.samples == resumed.contents.samples)
        #expect(straight.latents == resumed.contents.latents)
    }

    /// A bf16 run continues in fp32 (`genlab run --precision fp32`): its weights and moments
    /// are float arrays either way; the run file records each session's precision. The
    /// continued run matches, to bf16's rounding, the run trained in bf16 throughout.
    @Test(.enabled(if: Precision.hasNativeBF16, "train.precision: bf16 needs AMX or AVX512-BF16"))
    func aBF16RunContinuesInFP32() throws {
        let point = try RunHarness.point("arena-conv-vae", ["dataset.subset=256", "train.batch_size=32", "train.precision=bf16",
                                                            "record.losses_every=1"], length: .steps(8))
        let results = try RunHarness.folder("bf16-then-fp32")
        let first = try RunHarness.run(point, results: results, stopAfter: 4)
        #expect(first.outcome == .interrupted && first.contents.metadata.precision == "bf16")
        let continued = try RunHarness.run(point, results: results, precision: .fp32)
        #expect(continued.outcome == .completed && continued.contents.metadata.precision == "fp32")
        let straight = try RunHarness.run(point, results: try RunHarness.folder("bf16-throughout")).contents
        #expect(straight.metadata.precision == "bf16")
        let a = try #require(straight.history.columns["total"]), b = try #require(continued.contents.history.columns["total"])
        #expect(a.count == 8 && b.count == 8 && Array(a.prefix(4)) == Array(b.prefix(4)))
        for (x, y) in zip(a.suffix(4), b.suffix(4)) { #expect(abs(x - y) <= 0.02 * abs(x), "total \(y) continued in fp32, \(x) in bf16") }
        #expect(a.suffix(4) != b.suffix(4), "the fp32 session multiplied in bf16")
    }

    /// `--stop-after` below the step a run file has reached stops at once with a checkpoint
    /// (nothing trained, nothing lost), instead of training the point to its end.
    @Test func stopAfterBelowTheCheckpointStopsAtOnce() throws {
        let point = try RunHarness.point("homework-mlp-ae", ["dataset.subset=512", "train.batch_size=64", "record.losses_every=1"], length: .steps(12))
        let results = try RunHarness.folder("stop-below")
        let first = try RunHarness.run(point, results: results, stopAfter: 6)
        #expect(first.outcome == .interrupted && first.contents.state?.progress.step == 6)
        let again = try RunHarness.run(point, results: results, stopAfter: 3)
        #expect(again.outcome == .interrupted && again.contents.metadata.status == .interrupted)
        #expect(again.contents.state?.progress.step == 6 && again.contents.history == first.contents.history)
        #expect(RunHarness.weightBits(again.contents) == RunHarness.weightBits(first.contents))
    }

    /// A non-finite loss stops the run with an error naming the step and the loss; the run
    /// file says "failed" with that message and keeps the last good checkpoint.
    @Test func nonFiniteLossFailsTheRun() throws {
        let point = try RunHarness.point("arena-conv-ae", ["dataset.subset=256", "train.batch_size=32", "record.checkpoint={every: 2}",
                                                           "record.losses_every=1", "train.optimizer={sgd: {lr: 1.0e+30}}"], length: .steps(40))
        let results = try RunHarness.folder("nan")
        do {
            _ = try RunHarness.run(point, results: results)
            Issue.record("the run did not fail")
        } catch let error as RunError {
            #expect(error.message.contains("at step") && error.message.contains("loss '"))
            #expect(!error.message.contains("could not be marked failed"))
            #expect(error.path.hasSuffix("run.h5"))
            let contents = try RunFile.read(path: error.path)
            #expect(contents.metadata.status == .failed)
            #expect(contents.metadata.failure?.contains(error.message) == true)
            let stored = try #require(contents.state).progress.step
            #expect(stored % 2 == 0 && contents.history.steps.last.map { $0 <= stored } ?? true)
        }
    }

    /// Checkpoints more frequent than history rows (rows every 10 steps, a checkpoint every
    /// 3): every row arrives once, the run completes.
    @Test func checkpointsBetweenHistoryRows() throws {
        let point = try RunHarness.point("arena-conv-ae", ["dataset.subset=256", "train.batch_size=32", "record.checkpoint={every: 3}",
                                                           "record.losses_every=10"], length: .steps(25))
        let (outcome, contents) = try RunHarness.run(point, results: try RunHarness.folder("rows"))
        #expect(outcome == .completed)
        #expect(contents.history.steps == [10, 20])
    }

    /// While a process holds a point's lock (here the test itself), `genlab run` of that
    /// point stops with an error instead of writing the same run file; once it is released,
    /// the same command trains.
    @Test func aRunningPointIsLocked() throws {
        let results = try RunHarness.folder("lock")
        let overrides = ["dataset.subset=256", "train.batch_size=64"]
        let point = try RunHarness.point("arena-conv-ae", overrides, length: .steps(3))
        let folder = "\(results)/\(point.experiment.name)/\(point.runID)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let arguments = ["run", RunHarness.experimentFile("arena-conv-ae"), "--steps", "3", "--results", results, "--quiet"]
            + overrides.flatMap { ["--set", $0] }
        var lock: RunLock? = try RunLock(folder: folder)
        #expect(RunLock.isHeld(runFile: "\(folder)/run.h5"))
        let second = try Repository.run(RunHarness.genlab, arguments)
        #expect(second.status == 1)
        #expect(second.output.contains("another genlab process (pid \(getpid())) is training this point"), "\(second.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/run.h5"))
        withExtendedLifetime(lock) {}
        lock = nil
        #expect(!RunLock.isHeld(runFile: "\(folder)/run.h5"))
        let third = try Repository.run(RunHarness.genlab, arguments)
        #expect(third.status == 0, "\(third.output)")
    }

    /// A completed run is left as it is by a rerun (its file untouched); `overwrite` starts it
    /// again.
    @Test func completedRunsAreNotTrainedAgain() throws {
        let point = try RunHarness.point("arena-conv-ae", ["dataset.subset=64", "train.batch_size=32"], length: .steps(2))
        let results = try RunHarness.folder("exists")
        let first = try RunHarness.run(point, results: results)
        #expect(first.outcome == .completed)
        let again = try RunHarness.run(point, results: results)
        #expect(again.outcome == .alreadyCompleted && again.contents.metadata == first.contents.metadata)
        let dataset = try DatasetLoader.load(point.experiment.dataset).dataset
        let runner = PointRunner(point: point, dataset: dataset, options: RunOptions(results: results, overwrite: true, quiet: true))
        #expect(try runner.run() == .completed)
        #expect(try RunFile.read(path: runner.path).metadata.startedAt >= first.contents.metadata.startedAt)
    }

    /// Ctrl-C: `genlab run` gets SIGINT, writes a checkpoint, marks the run interrupted and
    /// exits 130; running the same command again finishes it.
    @Test func sigintStopsCleanlyAndResumes() throws {
        let genlab = RunHarness.genlab
        #expect(FileManager.default.isExecutableFile(atPath: genlab))
        let results = try RunHarness.folder("sigint")
        let file = Repository.root.appendingPathComponent("experiments/arena-conv-ae.yaml").path
        let arguments = ["run", file, "--steps", "400", "--set", "dataset.subset=2000", "--set", "train.batch_size=64", "--results", results]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: genlab)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        var runFile: String?
        while runFile == nil, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            let runs = (try? FileManager.default.subpathsOfDirectory(atPath: results)) ?? []
            runFile = runs.first { $0.hasSuffix("run.h5") }.map { "\(results)/\($0)" }
        }
        // the file exists once the first commit is done, after the signal handler is installed
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        _ = pipe.fileHandleForReading.readDataToEndOfFile()
        #expect(process.terminationStatus == 130)
        let path = try #require(runFile)
        let stopped = try RunFile.read(path: path)
        #expect(stopped.metadata.status == .interrupted)
        #expect((stopped.state?.progress.step ?? 0) < 400)
        let resumed = try Repository.run(genlab, arguments + ["--quiet"])
        #expect(resumed.status == 0, "\(resumed.output)")
        let done = try RunFile.read(path: path)
        #expect(done.metadata.status == .completed && done.state?.progress.step == 400)
        let expectedSteps: [Int64] = Array(stride(from: 10, through: 400, by: 10))
        #expect(done.history.steps == expectedSteps)
    }
}
