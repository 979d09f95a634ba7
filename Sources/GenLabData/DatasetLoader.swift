import GenLabSpec

/// Reads the dataset an experiment names, checks it against the image shape the networks
/// were built for, and applies the subset and holdout options.
public enum DatasetLoader {
    public static let fashionMNISTClasses = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// Bumped when GenLab decodes or converts images differently, so that no cache entry of
    /// the old images is read.
    static let decodingVersion = 1

    /// The dataset of `spec`, its training split cut to `spec.subset` images: mapped from
    /// `cache` (built there first when needed) when given and the dataset is read from files,
    /// else decoded into memory. The outcome says what the cache did (nil without one);
    /// `waiting` is called before waiting for another process's build of the entry.
    public static func load(_ spec: DatasetSpec, cache: DecodedCache? = nil, waiting: () -> Void = {}) throws(DataError)
        -> (dataset: Dataset, cache: DecodedCache.Outcome?) {
        var dataset: Dataset
        var outcome: DecodedCache.Outcome?
        if let cache, let source = try cacheSource(spec) {
            (dataset, outcome) = try cache.dataset(source, waiting: waiting)
        } else {
            dataset = try decode(spec)
        }
        let path = spec.path ?? DatasetSpec.fashionMNISTDefaultPath
        guard dataset.train.imageShape == spec.imageShape else {
            let found = dataset.train.imageShape.map(String.init).joined(separator: "×")
            let expected = spec.imageShape.map(String.init).joined(separator: "×")
            throw DataError(.mismatch, "images are \(found) but \(spec.name.rawValue) experiments expect \(expected)\(spec.name == .imageFolder ? " (set dataset.channels)" : spec.name == .records ? " (set dataset.image_size and dataset.channels to the file's)" : "")", path: path)
        }
        if let subset = spec.subset { dataset.train = dataset.train.prefix(subset) }
        return (dataset, outcome)
    }

    /// The whole dataset of `spec` decoded into memory, converted to its channels and size.
    static func decode(_ spec: DatasetSpec) throws(DataError) -> Dataset {
        var dataset: Dataset
        let path = spec.path ?? DatasetSpec.fashionMNISTDefaultPath
        switch spec.name {
        case .fashionMNIST: dataset = try IDXReader.load(folder: path, classNames: fashionMNISTClasses)
        case .mnist: dataset = try IDXReader.load(folder: path, classNames: (0..<10).map(String.init))
        case .cifar10: dataset = try CIFAR10Reader.load(folder: path)
        case .imageFolder: dataset = try ImageFolderReader.load(folder: path, size: spec.imageSize)
        case .dsprites: dataset = DSprites.dataset()
        case .records: dataset = try RecordFile(path: path, followingLinks: true).dataset
        }
        if let stored = spec.storedShape, stored != spec.imageShape, dataset.train.imageShape == stored {
            dataset.train = dataset.train.converted(channels: spec.channels, size: spec.imageSize)
            dataset.test = dataset.test.converted(channels: spec.channels, size: spec.imageSize)
        }
        return dataset
    }

    /// The cache entry of `spec`'s dataset; nil for dSprites, which GenLab draws as batches
    /// need its images (a cache would only hold what drawing makes again), and for a record
    /// file, read as the cache's entries are.
    static func cacheSource(_ spec: DatasetSpec) throws(DataError) -> DecodedCache.Source? {
        let path = spec.path ?? DatasetSpec.fashionMNISTDefaultPath
        let files: [String]
        switch spec.name {
        case .imageFolder: return try ImageFolderReader.cacheSource(folder: path, size: spec.imageSize)
        case .dsprites, .records: return nil
        case .fashionMNIST, .mnist: files = try IDXReader.files(folder: path)
        case .cifar10: files = try CIFAR10Reader.files(folder: path)
        }
        // files read whole into memory: decoded and converted there, then written out
        let place = SourceFiles.canonical(path), shape = spec.imageShape.map(String.init).joined(separator: "x")
        return DecodedCache.Source(
            name: SourceFiles.entryName(spec.name.rawValue, shape, folder: place),
            folder: place,
            details: "\(spec.name.rawValue) shape \(shape) decoding \(decodingVersion) files \(try SourceFiles.fingerprint(files, below: path))",
            build: { (writer: RecordFileWriter) throws(DataError) in
                let dataset = try decode(spec)
                for set in [dataset.train, dataset.test] {
                    for i in 0..<set.count { try writer.append(set.image(i), label: set.labels[i]) }
                }
                try writer.finish(imageShape: dataset.train.imageShape, trainCount: dataset.train.count, classNames: dataset.classNames)
            },
            decode: { () throws(DataError) in try decode(spec) })
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
