import CImageCodecs
import Foundation
import GenLabAnalysis
import GenLabData
import GenLabReport
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabSweeps
import GenLabTestSupport
import GenLabTraining

/// Running experiment files from the tests: overrides, tiny generated datasets, a
/// temporary results folder.
enum RunHarness {
    static func folder(_ name: String) throws -> String {
        try TestFolder.make("\(name)").path
    }

    /// The `genlab` executable built beside the test bundle.
    static var genlab: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("genlab").path
    }

    /// The experiment file of a tiny MLP autoencoder on `subset` Fashion-MNIST images,
    /// `steps` steps of batch 64, a loss every `lossesEvery` steps, ending inside `record:`
    /// so that `rest` can add record keys (indented) and then top-level sections.
    static func tinyAutoencoder(_ name: String, subset: Int, steps: Int, lossesEvery: Int, rest: String) -> String {
        """
        name: \(name)
        seed: 0
        dataset: {name: fashion-mnist, subset: \(subset)}
        model:
          kind: ae
          latent: 4
          encoder: [flatten, {linear: {out: 32}}, relu]
          decoder: mirror
          likelihood: mse
        train:
          steps: \(steps)
          batch_size: 64
          optimizer: {sgd: {lr: 0.01}}
        record:
          losses_every: \(lossesEvery)

        """ + rest
    }

    /// An experiment file of the repository.
    static func experimentFile(_ name: String) -> String {
        Repository.root.appendingPathComponent("experiments/\(name).yaml").path
    }

    /// The first point of `experiments/<name>.yaml` with `--set`-style overrides and a length.
    static func point(_ name: String, _ overrides: [String], length: TrainSpec.Length) throws -> ExperimentPoint {
        let path = Repository.root.appendingPathComponent("experiments/\(name).yaml").path
        let experiment = try Experiment.load(path: path).overriding(try overrides.map(Override.commandLine)).training(for: length)
        return try experiment.points()[0]
    }

    /// Trains `point` into `results` (continuing its run file, if it has one) and returns the outcome and the run file's contents.
    static func run(_ point: ExperimentPoint, results: String, stopAfter: Int? = nil, precision: PrecisionSpec.Choice? = nil)
        throws -> (outcome: RunOutcome, contents: RunContents) {
        let dataset = try DatasetLoader.load(point.experiment.dataset).dataset
        let runner = PointRunner(point: point, dataset: dataset,
                                 options: RunOptions(results: results, stopAfter: stopAfter, quiet: true, precision: precision))
        let outcome = try runner.run()
        return (outcome, try RunFile.read(path: runner.path))
    }

    /// A CIFAR-10 binary folder of 5 × `perBatch` training and `perBatch` test images.
    static func tinyCIFAR(perBatch: Int = 16) throws -> String {
        let folder = try RunHarness.folder("cifar")
        for (i, name) in ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"].enumerated() {
            var bytes: [UInt8] = []
            for r in 0..<perBatch {
                bytes.append(UInt8((i + r) % 10))
                bytes += (0..<3072).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ r &* 13 &+ i) }
            }
            try Data(bytes).write(to: URL(fileURLWithPath: "\(folder)/\(name).bin"))
        }
        return folder
    }

    /// An image folder of two classes of `perClass` RGB PNGs of 80×72 (resized to 64 by the
    /// experiment).
    static func tinyFaces(perClass: Int = 12) throws -> String {
        let folder = try RunHarness.folder("faces")
        for name in ["a", "b"] {
            try FileManager.default.createDirectory(atPath: "\(folder)/\(name)", withIntermediateDirectories: true)
            for k in 0..<perClass {
                let pixels = (0..<(80 * 72 * 3)).map { UInt8(truncatingIfNeeded: $0 / 3 &+ k &* 17) }
                var message = [CChar](repeating: 0, count: 256)
                guard genlab_png_encode("\(folder)/\(name)/\(k).png", pixels, 80, 72, 3, &message, message.count) == 0 else {
                    throw DataError(.corrupt, String(cString: message), path: folder)
                }
            }
        }
        return folder
    }

    /// The history's steps, epochs and columns, the values as bits (NaN, where no validation
    /// ran, equal to itself).
    static func historyBits(_ history: HistoryRows) -> [String: [UInt64]] {
        var bits = history.columns.mapValues { $0.map { UInt64($0.bitPattern) } }
        bits["step"] = history.steps.map { UInt64(bitPattern: $0) }
        bits["epoch"] = history.epochs.map { UInt64(bitPattern: $0) }
        return bits
    }

    /// Every value of every network's weights, buffers (counters included) and optimizer
    /// state, as bits.
    static func weightBits(_ contents: RunContents) -> [String: [UInt64]] {
        var result: [String: [UInt64]] = [:]
        let groups = [("", contents.state?.weights), ("buffers ", contents.state?.buffers), ("optimizer ", contents.state?.optimizers)]
        for (prefix, networks) in groups {
            for (network, arrays) in networks ?? [:] {
                for array in arrays {
                    switch array.values {
                    case .float32(let v): result["\(prefix)\(network)/\(array.name)"] = v.map { UInt64($0.bitPattern) }
                    case .int64(let v): result["\(prefix)\(network)/\(array.name)"] = v.map { UInt64(bitPattern: $0) }
                    }
                }
            }
        }
        return result
    }
}
