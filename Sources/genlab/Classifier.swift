import ArgumentParser
import Foundation
import GenLabAnalysis
import GenLabReport
import GenLabResults
import GenLabSpec
import GenLabSweeps
import GenLabTensor
import GenLabTraining

/// `genlab classifier FILE`: trains (or finds) GenLab's evaluation classifier of an
/// experiment's dataset.
struct Classifier: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train GenLab's evaluation classifier of an experiment's dataset (kept in the cache folder) and print its test accuracy; the generator scores (fd, classifier_score, mode_coverage) use it.",
        discussion: """
        The classifier is a small CNN trained with cross-entropy (Adam, lr 1e-3, batches of 128) \
        on the whole training set at the experiment's image size, on the pixel scale. It is \
        stored in $GENLAB_CACHE (else $XDG_CACHE_HOME/genlab, else ~/.cache/genlab) under a name \
        with the dataset, image shape, seed and epochs; an analysis that needs it trains it \
        there the first time.
        """
    )

    @Argument(help: "An experiment file (its dataset is used).")
    var file: String

    @Option(help: "Epochs of training.")
    var epochs = TrainedClassifier.defaultEpochs

    @Option(help: "The seed of its initialisation and batch order.")
    var seed = 0

    @Flag(help: "Train it again even when it is cached.")
    var retrain = false

    func validate() throws {
        guard (1...1000).contains(epochs) else { throw ValidationError("--epochs must be between 1 and 1000") }
        guard seed >= 0 else { throw ValidationError("--seed must be 0 or more") }
    }

    func run() throws {
        let experiment = try Experiment.load(path: file)
        // every core: the matrix products cut by shape, so the weights do not depend on it
        BLAS.setThreads(ProcessInfo.processInfo.activeProcessorCount)
        let datasets = DatasetCache()
        if retrain {
            let path = TrainedClassifier.path(for: TrainedClassifier.pixelSpec(experiment.dataset), seed: UInt64(seed), epochs: epochs)
            try? FileManager.default.removeItem(atPath: path)
        }
        let trained = try TrainedClassifier.load(experiment.dataset, datasets: datasets, seed: UInt64(seed), epochs: epochs) { print($0) }
        print("\(trained.description): test accuracy \(String(format: "%.4f", trained.testAccuracy)) (\(trained.path))")
    }
}
