import GenLabSpec

/// Reads the dataset an experiment names, checks it against the image shape the networks
/// were built for, and applies the subset and holdout options.
public enum DatasetLoader {
    public static let fashionMNISTClasses = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// The dataset of `spec`, its training split cut to `spec.subset` images.
    public static func load(_ spec: DatasetSpec) throws(DataError) -> Dataset {
        var dataset: Dataset
        let path = spec.path ?? DatasetSpec.fashionMNISTDefaultPath
        switch spec.name {
        case .fashionMNIST: dataset = try IDXReader.load(folder: path, classNames: fashionMNISTClasses)
        case .mnist: dataset = try IDXReader.load(folder: path, classNames: (0..<10).map(String.init))
        case .cifar10: dataset = try CIFAR10Reader.load(folder: path)
        case .imageFolder: dataset = try ImageFolderReader.load(folder: path, size: spec.imageSize)
        case .dsprites: dataset = DSprites.dataset()
        }
        if let stored = spec.storedShape, stored != spec.imageShape, dataset.train.imageShape == stored {
            dataset.train = dataset.train.converted(channels: spec.channels, size: spec.imageSize)
            dataset.test = dataset.test.converted(channels: spec.channels, size: spec.imageSize)
        }
        guard dataset.train.imageShape == spec.imageShape else {
            let found = dataset.train.imageShape.map(String.init).joined(separator: "×")
            let expected = spec.imageShape.map(String.init).joined(separator: "×")
            throw DataError(.mismatch, "images are \(found) but \(spec.name.rawValue) experiments expect \(expected)\(spec.name == .imageFolder ? " (set dataset.channels)" : "")", path: path)
        }
        if let subset = spec.subset { dataset.train = dataset.train.prefix(subset) }
        return dataset
    }

    /// The held-out images: the first test image of each class, or the first N test images
    /// (training images when the dataset has no test split).
    public static func holdout(_ dataset: Dataset, _ holdout: DatasetSpec.Holdout) -> ImageSet {
        let source = dataset.test.count > 0 ? dataset.test : dataset.train
        switch holdout {
        case .perClass:
            let view = Dataset(train: dataset.train, test: source, classNames: dataset.classNames)
            return source.subset(view.firstTestImagePerClass())
        case .first(let n):
            return source.prefix(n)
        }
    }
}
