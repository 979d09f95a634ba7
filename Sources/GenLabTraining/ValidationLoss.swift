import GenLabData
import GenLabModels
import GenLabNN
import GenLabSpec

/// The objective's loss terms on held-out images (`record.validation`): the first `count`
/// test images (training images when the dataset has no test split), in chunks of the
/// training's batch size, each term as the trainer's `validate` gives it on a chunk, averaged
/// over the chunks weighted by their images (a term summed over the batch, `reduction: sum`,
/// weighted by the batch size instead, so it stays on the scale of a training batch's).
/// Every validation draws from the start of its own stream (`RandomStream.validation`), so
/// it is a function of the weights alone and never touches the training's streams.
final class ValidationLoss {
    let loader: BatchLoader
    let count: Int
    /// "the first N test images" or "the first N training images (no test split)".
    let source: String
    private let seed: UInt64
    private let sumsOverBatch: Bool
    private let batchSize: Int

    init(_ spec: RecordSpec.Validation, dataset: Dataset, experiment: Experiment) {
        let hasTest = dataset.test.count > 0
        let images = (hasTest ? dataset.test : dataset.train).prefix(spec.count)
        count = images.count
        source = "the first \(images.count) \(hasTest ? "test" : "training") images" + (hasTest ? "" : " (the dataset has no test split)")
        batchSize = experiment.train.batchSize
        loader = BatchLoader(images: images, batchSize: batchSize, dropLast: false, shuffle: false, seed: 0,
                             normalization: experiment.dataset.normalization)
        seed = experiment.seed
        sumsOverBatch = experiment.model.autoencoder?.reduction == .sum
    }

    /// The validated terms, keyed by their history columns.
    func losses(_ trainer: Trainer) throws(ShapeError) -> [String: Float] {
        var generator = RandomGenerator(seed: seed, stream: .validation)
        var sums: [String: Double] = [:]
        for index in 0..<loader.batchesPerEpoch {
            loader.load(epoch: 0, index: index)
            let terms = try trainer.validate(loader.batch, labels: loader.labels, generator: &generator)
            let weight = Double(sumsOverBatch ? batchSize : loader.batch.shape[0]) / Double(max(count, 1))
            for name in trainer.validationNames { sums[name, default: 0] += weight * Double(terms[name] ?? .nan) }
        }
        return Dictionary(uniqueKeysWithValues: trainer.validationNames.map { (HistoryColumn.validation($0), Float(sums[$0] ?? .nan)) })
    }
}
