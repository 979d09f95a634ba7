import Foundation
import GenLabCore
import GenLabData
import GenLabModels
import GenLabNN
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabTensor

/// GenLab's evaluation classifier of a dataset, trained once and kept in a cache folder:
/// `<cache>/classifier-v<version>-<dataset>-<C>x<H>x<W>[-<path hash>]-seed<seed>-epochs<n>/
/// classifier.h5` (the weights under their `state_dict` keys; attributes `name`, `version`,
/// `dataset`, `seed`, `epochs`, `test_accuracy`, `train_seconds`). The cache folder is
/// `CacheFolder.path` (`$GENLAB_CACHE`, else `$XDG_CACHE_HOME/genlab`, else `~/.cache/genlab`).
public struct TrainedClassifier {
    public let classifier: EvaluationClassifier
    /// Top-1 accuracy on the dataset's test images (its training images when it has none).
    public let testAccuracy: Double
    public let path: String
    /// Which classifier, for the names of scores: "genlab-cnn-v1 fashion-mnist 1x28x28 seed 0".
    public let description: String
    /// The images it was trained on, on the pixel scale (the analyses reuse them).
    public let dataset: Dataset

    /// Training defaults: 5 epochs of batches of 128 from seed 0.
    public static let defaultEpochs = 5
    public static let batchSize = 128

    /// The cache folder.
    public static var cacheFolder: String { CacheFolder.path }

    /// The dataset the classifier of `spec` trains on: all of it, on the pixel scale.
    public static func pixelSpec(_ spec: DatasetSpec) -> DatasetSpec {
        var plain = spec
        plain.subset = nil
        plain.normalization = .unit
        return plain
    }

    /// The classifier file of `spec`'s images in `cache`.
    public static func path(for spec: DatasetSpec, seed: UInt64, epochs: Int, cache: String = cacheFolder) -> String {
        let shape = spec.imageShape.map(String.init).joined(separator: "x")
        let place = spec.path.map { path in "-" + String(UInt64(bitPattern: Int64(path.utf8.reduce(5381) { ($0 &* 33) &+ Int($1) })) % 1_000_000_007, radix: 36) } ?? ""
        return "\(cache)/classifier-v\(EvaluationClassifier.version)-\(spec.name.rawValue)-\(shape)\(place)-seed\(seed)-epochs\(epochs)/classifier.h5"
    }

    /// The classifier of `spec`'s images: read from the cache, or (with `train`) trained and
    /// stored there when it is not. `progress` hears about the training.
    public static func load(_ spec: DatasetSpec, datasets: DatasetCache, seed: UInt64 = 0, epochs: Int = defaultEpochs,
                            cache: String = cacheFolder, train: Bool = true, progress: (String) -> Void = { _ in }) throws(RunError) -> TrainedClassifier {
        let plain = pixelSpec(spec)
        let dataset = try datasets.dataset(plain)
        let path = self.path(for: plain, seed: seed, epochs: epochs, cache: cache)
        let classes = max(2, Int((dataset.train.labels.max() ?? 1) + 1))
        let classifier: EvaluationClassifier
        do { classifier = try EvaluationClassifier(imageShape: plain.imageShape, classes: classes, seed: seed) } catch {
            throw RunError(.analysis, "no evaluation classifier for this dataset: \(error.message)", path: path)
        }
        let description = "\(EvaluationClassifier.name) \(plain.name.rawValue) \(plain.imageShape.map(String.init).joined(separator: "x")) seed \(seed) epochs \(epochs)"
        if FileManager.default.fileExists(atPath: path) {
            let stored: (arrays: [StoredArray], attributes: [(name: String, value: AnalysisRecord.Value)])
            do { stored = try ArrayFile.read(path: path) } catch { throw RunError(error) }
            let arrays = Dictionary(stored.arrays.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            for (name, parameter) in classifier.network.parameters {
                guard let array = arrays[name], array.shape == parameter.value.shape, let values = array.floats else {
                    throw RunError(.analysis, "the cached classifier has no '\(name)' of shape \(parameter.value.shape.shapeDescription) (damaged? remove it to train it again)", path: path)
                }
                parameter.value.data.update(from: values, count: values.count)
            }
            let accuracy = stored.attributes.first { $0.name == "test_accuracy" }.flatMap { if case .number(let x) = $0.value { x } else { nil } }
            return TrainedClassifier(classifier: classifier, testAccuracy: accuracy ?? .nan, path: path, description: description, dataset: dataset)
        }
        guard train else { throw RunError(.analysis, "no cached classifier (genlab classifier trains it)", path: path) }
        let started = Date()
        let loader = BatchLoader(images: dataset.train, batchSize: batchSize, dropLast: false, shuffle: true, seed: seed, normalization: .unit)
        for epoch in 0..<epochs {
            var sum = 0.0
            for index in 0..<loader.batchesPerEpoch {
                _ = loader.load(epoch: epoch, index: index)
                do throws(ShapeError) { sum += Double(try classifier.step(loader.batch, labels: loader.labels)) } catch {
                    throw RunError(.training, "the evaluation classifier's step failed: \(error.message)", path: path)
                }
            }
            progress("classifier epoch \(epoch + 1)/\(epochs): mean cross-entropy \(String(format: "%.4f", sum / Double(loader.batchesPerEpoch)))")
        }
        let accuracy = try TrainedClassifier.accuracy(classifier, dataset.test.count > 0 ? dataset.test : dataset.train, path: path)
        let seconds = Date().timeIntervalSince(started)
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try ArrayFile.write(path: path, arrays: classifier.network.parameters.map { StoredArray(name: $0.name, shape: $0.parameter.value.shape, floats: $0.parameter.value.values) },
                                attributes: [("name", .text(EvaluationClassifier.name)), ("version", .integer(Int64(EvaluationClassifier.version))),
                                             ("dataset", .text(description)), ("seed", .integer(Int64(seed))), ("epochs", .integer(Int64(epochs))),
                                             ("test_accuracy", .number(accuracy)), ("train_seconds", .number(seconds))])
        } catch let error as HDF5Error {
            throw RunError(error)
        } catch {
            throw RunError(.io, "cannot create the cache folder: \(error.localizedDescription)", path: path)
        }
        progress("classifier: test accuracy \(String(format: "%.4f", accuracy)), \(String(format: "%.0f", seconds)) s; stored in \(path)")
        return TrainedClassifier(classifier: classifier, testAccuracy: accuracy, path: path, description: description, dataset: dataset)
    }

    /// Its 128 penultimate features (N × 128) and probabilities (N × classes) of `images`.
    public func evaluate(_ images: ImageSet) throws(RunError) -> (features: [Float], probabilities: [Float]) {
        try ClassifierEvaluation(classifier, path: path).run(images)
    }

    /// The same of a batch on the pixel scale (N × C × H × W).
    public func evaluate(_ batch: Tensor) throws(RunError) -> (features: [Float], probabilities: [Float]) {
        try ClassifierEvaluation(classifier, path: path).run(batch)
    }

    /// Top-1 accuracy of `classifier` on `images`.
    static func accuracy(_ classifier: EvaluationClassifier, _ images: ImageSet, path: String) throws(RunError) -> Double {
        var correct = 0
        let evaluation = ClassifierEvaluation(classifier, path: path)
        let (_, probabilities) = try evaluation.run(images)
        let classes = classifier.classes
        for (i, label) in images.labels.enumerated() {
            let row = probabilities[(i * classes)..<((i + 1) * classes)]
            if row.firstIndex(of: row.max() ?? 0).map({ $0 - i * classes }) == Int(label) { correct += 1 }
        }
        return Double(correct) / Double(max(images.count, 1))
    }
}

/// The classifier's features and probabilities of many images, 500 at a time.
struct ClassifierEvaluation {
    let classifier: EvaluationClassifier
    /// The classifier's file (named by errors).
    let path: String

    init(_ classifier: EvaluationClassifier, path: String) {
        self.classifier = classifier
        self.path = path
    }

    /// Of a dataset's images (bytes, turned to the pixel scale).
    func run(_ images: ImageSet) throws(RunError) -> (features: [Float], probabilities: [Float]) {
        var features: [Float] = [], probabilities: [Float] = []
        for start in stride(from: 0, to: images.count, by: 500) {
            let (batch, _) = BatchLoader.whole(images.subset(Array(start..<min(start + 500, images.count))), normalization: .unit)
            let (f, p) = try run(batch)
            features += f
            probabilities += p
        }
        return (features, probabilities)
    }

    /// Of a batch already on the pixel scale.
    func run(_ batch: Tensor) throws(RunError) -> (features: [Float], probabilities: [Float]) {
        do { return try classifier.evaluate(batch) } catch {
            throw RunError(.analysis, "the evaluation classifier: \(error.message)", path: path)
        }
    }
}
