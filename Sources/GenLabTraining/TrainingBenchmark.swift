import Foundation
import GenLabCore
import GenLabData
import GenLabModels
import GenLabNN
import GenLabResults
import GenLabSpec
import GenLabStore

/// What `genlab bench` measures: full training steps (forward, backward, update) of an
/// experiment's model on random data, checkpoint commits, and loading Fashion-MNIST.
public enum TrainingBenchmark {
    /// The timed steps of one model, and the model and trainer they ran.
    public struct Throughput {
        public let batch: Int
        public let steps: Int
        public let elapsed: Double
        /// The matrix products' and convolutions' FLOPs of the timed steps (`MatrixWork`).
        public let flops: Double
        /// What the products multiplied.
        public let precision: Precision
        let trainer: any Trainer
        let model: BuiltModel
        let imageShape: [Int]
    }

    /// The first and the last of a run of checkpoint commits, and the files they made.
    public struct CheckpointTiming: Sendable {
        public let firstMilliseconds: Double
        public let lastMilliseconds: Double
        public let runFileMiB: Double
        public let recordsMiB: Double
    }

    /// Commits `checkpoints` checkpoints (state, one history row, 64 samples) of the model that
    /// `throughput` ran to a run file in a temporary folder: the first and the last commit's
    /// time and the sizes (a checkpoint's cost should not grow with the records before it).
    public static func checkpoints(_ checkpoints: Int, of throughput: Throughput) throws -> CheckpointTiming {
        let (trainer, model, imageShape) = (throughput.trainer, throughput.model, throughput.imageShape)
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
        return CheckpointTiming(firstMilliseconds: times[0], lastMilliseconds: times[times.count - 1], runFileMiB: megabytes([path]),
                                recordsMiB: megabytes((FileManager.default.subpaths(atPath: records) ?? []).map { records + "/" + $0 }))
    }

    /// This machine's measured peak in `precision`, GFLOP/s: the best of five timings of a
    /// 2,048 × 2,048 × 2,048 matrix product (`BLAS.gemm`, on `BLAS.threads` threads; in bf16
    /// its operands' rounding included, 2 % of its time), the largest rate the products reach.
    public static func peak(_ precision: Precision) -> Double {
        let n = 2048
        var generator = RandomGenerator(seed: 0)
        let a = Tensor(zeros: [n, n]), b = Tensor(zeros: [n, n]), c = Tensor(zeros: [n, n])
        generator.fillUniform(a.buffer, low: -1, high: 1)
        generator.fillUniform(b.buffer, low: -1, high: 1)
        var best = Double.infinity
        for _ in 0..<6 { // the first one warms up
            let start = DispatchTime.now().uptimeNanoseconds
            BLAS.gemm(m: n, n: n, k: n, a: a.data, lda: n, b: b.data, ldb: n, beta: 0, c: c.data, ldc: n, precision: precision)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return 2 * Double(n * n * n) / best / 1e9
    }

    /// Builds the model of `file`'s first point and its trainer in `precision` (nil: the
    /// file's `train.precision`), runs `warmup` steps, then steps until `seconds` pass.
    public static func measure(_ file: String, warmup: Int, seconds: Double, precision: Precision? = nil) throws -> Throughput {
        let experiment = try Experiment.load(path: file).points()[0].experiment
        var model = try BuiltModel(experiment)
        model.use(try precision ?? experiment.train.precision.resolved())
        let n = experiment.train.batchSize
        // epochs of a 60,000-image training set (the bench feeds synthetic batches)
        let trainer = model.trainer(batchesPerEpoch: max(60_000 / n, 1))
        var generator = RandomGenerator(seed: 0)
        let batch = Tensor(zeros: [n] + experiment.dataset.imageShape)
        generator.fillUniform(batch.buffer, low: 0, high: 1)
        let classes = max(experiment.model.autoencoder?.classes ?? experiment.model.adversarial?.classes ?? 0, 1)
        let labels = (0..<n).map { Int32($0 % classes) }
        for _ in 0..<warmup { _ = try trainer.step(batch, labels: labels, generator: &generator) }
        let work = MatrixWork.count
        let start = DispatchTime.now().uptimeNanoseconds
        var steps = 0
        var elapsed = 0.0
        repeat {
            _ = try trainer.step(batch, labels: labels, generator: &generator)
            steps += 1
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < seconds
        return Throughput(batch: n, steps: steps, elapsed: elapsed, flops: 2 * Double(MatrixWork.count - work), precision: model.precision,
                          trainer: trainer, model: model, imageShape: experiment.dataset.imageShape)
    }

    /// The seconds decoding the default Fashion-MNIST into memory takes, and mapping it from a
    /// built entry of the decoded cache (`cache`: a folder of the bench's own) takes, best of
    /// three each, and the images it holds.
    public static func dataLoading(cache: String) throws -> (decoded: Double, cached: Double, images: Int) {
        let spec = DatasetSpec(name: .fashionMNIST, path: nil, imageSize: 28, channels: 1, normalization: .unit,
                               subset: nil, holdout: .perClass)
        let entries = DecodedCache(folder: cache)
        _ = try DatasetLoader.load(spec, cache: entries)
        var best = (decoded: Double.infinity, cached: Double.infinity)
        var images = 0
        for _ in 0..<3 {
            for cached in [false, true] {
                let start = DispatchTime.now().uptimeNanoseconds
                let dataset = try DatasetLoader.load(spec, cache: cached ? entries : nil).dataset
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                if cached { best.cached = min(best.cached, seconds) } else { best.decoded = min(best.decoded, seconds) }
                images = dataset.train.count + dataset.test.count
            }
        }
        return (best.decoded, best.cached, images)
    }

    /// dSprites images drawn per second into shuffled, normalised training batches of 64 (as
    /// training reads them), over at least `seconds`, on this thread.
    public static func dspritesDrawing(seconds: Double = 2) throws -> Double {
        let spec = DatasetSpec(name: .dsprites, path: nil, imageSize: 64, channels: 1, normalization: .unit,
                               subset: nil, holdout: .perClass)
        let loader = BatchLoader(images: try DatasetLoader.load(spec).dataset.train, batchSize: 64, dropLast: true, shuffle: true, seed: 0,
                                 normalization: spec.normalization)
        let start = DispatchTime.now().uptimeNanoseconds
        var batches = 0, elapsed = 0.0
        repeat {
            loader.load(epoch: 0, index: batches % loader.batchesPerEpoch)
            batches += 1
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < seconds
        return Double(batches * 64) / elapsed
    }
}
