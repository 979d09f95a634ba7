import ArgumentParser
import Foundation
import GenLabAnalysis
import GenLabCore
import GenLabData
import GenLabModels
import GenLabNN
import GenLabReport
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabSweeps
import GenLabTraining

/// `genlab bench`: training-step throughput of the reference models on random data.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure images/s and peak memory of full training steps (forward, backward, update).",
        discussion: """
        Each experiment file's model (first sweep point) trains on random inputs of its \
        dataset's shape and its batch size: warm-up steps first, then timed steps for at least \
        --seconds. Peak memory is the process's peak resident set size (VmHWM), reset before \
        each model.
        """
    )

    @Option(help: "Threads of matrix products (GenLab's blocks; OpenBLAS itself stays on one).")
    var threads = 1

    @Option(help: "Minimum timed duration per model, in seconds.")
    var seconds = 5.0

    @Option(help: "Warm-up steps per model, not timed.")
    var warmup = 2

    @Option(help: "Experiment files to benchmark.")
    var experiments: [String] = ["experiments/arena-conv-vae.yaml", "experiments/lab-dcgan.yaml"]

    @Flag(help: "Benchmark every file in the experiments/ folder.")
    var all = false

    @Option(help: "Also commit this many checkpoints of each model to a temporary run file, each with 64 recorded samples (random pixels), and print the first and last commit's time.")
    var checkpoints = 0

    @Flag(help: "Also time loading Fashion-MNIST (60,000 training + 10,000 test images) from the default folder.")
    var data = false

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
        guard warmup >= 0 else { throw ValidationError("--warmup must not be negative") }
        guard (0...100_000).contains(checkpoints) else { throw ValidationError("--checkpoints must be between 0 and 100000") }
    }

    func run() throws {
        BLAS.setThreads(threads)
        print("genlab bench\n" + BLASKernel.report + "\nConvolutions \(DirectConvolution.library)")
        if data { try benchDataLoading() }
        var files = experiments
        if all {
            files = ((try? FileManager.default.contentsOfDirectory(atPath: "experiments")) ?? [])
                .filter { $0.hasSuffix(".yaml") }.sorted().map { "experiments/\($0)" }
        }
        print("experiment".padding(toLength: 28, withPad: " ", startingAt: 0) + "  batch   steps   images/s   peak MiB")
        for file in files {
            ResidentMemory.resetPeak()
            let result = try measure(file)
            let peak = ResidentMemory.peakBytes().map { String(format: "%.0f", Double($0) / 1_048_576) } ?? "?"
            let name = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            print(name.padding(toLength: 28, withPad: " ", startingAt: 0)
                  + String(format: "  %5d %7d %10.1f %10@", result.batch, result.steps,
                           Double(result.steps * result.batch) / result.elapsed, peak))
            if checkpoints > 0 { try benchCheckpoints(result.trainer, result.model, imageShape: result.imageShape) }
        }
    }

    /// Commits `checkpoints` checkpoints (state, one history row, 64 samples) of the model to
    /// a run file in a temporary folder and prints the first and the last commit's time and
    /// the sizes: a checkpoint's cost should not grow with the records before it.
    func benchCheckpoints(_ trainer: any Trainer, _ model: BuiltModel, imageShape: [Int]) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("genlab-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/run.h5"
        let metadata = RunMetadata(experiment: "bench", runID: "bench", status: .running, configYAML: "", sweepPoint: "",
                                   genlabVersion: GenLabVersion.current, startedAt: "")
        let images = [64] + imageShape
        var generator = RandomGenerator(seed: 1)
        let pixels = Tensor(zeros: images)
        generator.fillUniform(pixels.buffer, low: 0, high: 1)
        var times: [Double] = []
        for step in 1...checkpoints {
            var history = HistoryRows()
            history.append(step: Int64(step), epoch: 0, losses: ["loss": 1])
            let state = RunCheckpoint.capture(model, optimizers: trainer.optimizers, rng: [:],
                                              progress: RunProgress(step: Int64(step), epoch: 0, batch: Int64(step)))
            let start = DispatchTime.now().uptimeNanoseconds
            try RunFile.commit(path: path, metadata: metadata, state: state, newHistory: history,
                               newSamples: [SampleRecord(step: step, images: StoredArray(name: "step_\(step)", shape: images, floats: pixels.values))])
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        func megabytes(_ paths: [String]) -> Double {
            let sizes = paths.compactMap { try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int }
            return Double(sizes.reduce(0, +)) / 1_048_576
        }
        let records = RunFile.recordsFolder(path)
        print(String(format: "  checkpoints: first %.0f ms, last %.0f ms (after %d); run file %.1f MiB, records %.1f MiB",
                     times[0], times[times.count - 1], checkpoints, megabytes([path]),
                     megabytes((FileManager.default.subpaths(atPath: records) ?? []).map { records + "/" + $0 })))
    }

    /// Builds the file's model and trainer, runs the warm-up steps, then steps until
    /// `seconds` pass.
    func measure(_ file: String) throws -> (batch: Int, steps: Int, elapsed: Double, trainer: any Trainer, model: BuiltModel, imageShape: [Int]) {
        let experiment = try Experiment.load(path: file).points()[0].experiment
        let model = try BuiltModel(experiment)
        let n = experiment.train.batchSize
        // epochs of a 60,000-image training set (the bench feeds synthetic batches)
        let trainer = TrainerFactory.make(model, batchesPerEpoch: max(60_000 / n, 1))
        var generator = RandomGenerator(seed: 0)
        let batch = Tensor(zeros: [n] + experiment.dataset.imageShape)
        generator.fillUniform(batch.buffer, low: 0, high: 1)
        let classes = max(experiment.model.autoencoder?.classes ?? 0, 1)
        let labels = (0..<n).map { Int32($0 % classes) }
        for _ in 0..<warmup { _ = try trainer.step(batch, labels: labels, generator: &generator) }
        let start = DispatchTime.now().uptimeNanoseconds
        var steps = 0
        var elapsed = 0.0
        repeat {
            _ = try trainer.step(batch, labels: labels, generator: &generator)
            steps += 1
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < seconds
        return (n, steps, elapsed, trainer, model, experiment.dataset.imageShape)
    }

    /// Times reading and decompressing the default Fashion-MNIST (best of three).
    func benchDataLoading() throws {
        let spec = DatasetSpec(name: .fashionMNIST, path: nil, imageSize: 28, channels: 1, normalization: .unit,
                               subset: nil, holdout: .perClass)
        var best = Double.infinity
        var images = 0
        for _ in 0..<3 {
            let start = DispatchTime.now().uptimeNanoseconds
            let dataset = try DatasetLoader.load(spec)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            images = dataset.train.count + dataset.test.count
        }
        print(String(format: "Fashion-MNIST load (%d images, gzip IDX): %.3f s (best of 3)", images, best))
    }
}
