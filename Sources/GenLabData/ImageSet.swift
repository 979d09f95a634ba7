/// Where the images of an `ImageSet` come from without being kept in the process's memory: a
/// renderer of a procedural dataset (dSprites), which draws image `index` of its own
/// numbering on demand, or a mapped record file (the decoded cache), which copies it out.
public protocol ImageSource: Sendable {
    /// (C, H, W) of every image.
    var imageShape: [Int] { get }
    /// Writes the C·H·W bytes of image `index` to `target`.
    func render(_ index: Int, into target: UnsafeMutablePointer<UInt8>)
}

/// Images (N × C × H × W bytes each, row-major) with their integer labels: kept as bytes, or
/// read on demand from an `ImageSource` (a procedural dataset or a mapped record file, which
/// then take no memory of the process's own but their indices).
public struct ImageSet: Sendable {
    /// (C, H, W) of every image.
    public let imageShape: [Int]
    /// One label per image, in 0..<classes.
    public let labels: [Int32]
    private let storage: Storage

    private enum Storage: Sendable {
        /// count · C · H · W bytes.
        case bytes([UInt8])
        /// Image i is the source's image `indices[i]`.
        case source(any ImageSource, indices: [Int])
    }

    public init(imageShape: [Int], pixels: [UInt8], labels: [Int32]) {
        self.imageShape = imageShape
        storage = .bytes(pixels)
        self.labels = labels
    }

    /// The images `indices` of `source`, labelled `labels`.
    public init(source: any ImageSource, indices: [Int], labels: [Int32]) {
        imageShape = source.imageShape
        storage = .source(source, indices: indices)
        self.labels = labels
    }

    public var count: Int { labels.count }
    /// Bytes per image.
    public var imageSize: Int { imageShape.reduce(1, *) }

    /// The source's own number of image `index` (its place in a procedural dataset's grid);
    /// nil for images kept as bytes.
    public func sourceIndex(_ index: Int) -> Int? {
        if case .source(_, let indices) = storage { return indices[index] }
        return nil
    }

    /// Writes the bytes of image `index` to `target`.
    public func copyImage(_ index: Int, into target: UnsafeMutablePointer<UInt8>) {
        switch storage {
        case .bytes(let bytes):
            bytes.withUnsafeBufferPointer { target.update(from: $0.baseAddress! + index * imageSize, count: imageSize) }
        case .source(let source, let indices):
            source.render(indices[index], into: target)
        }
    }

    /// Asks the system to read images `range` ahead of their use, when they are consecutive
    /// records of a mapped file (a block of `shuffle: block`); otherwise nothing.
    public func prefetch(_ range: Range<Int>) {
        guard case .source(let source, let indices) = storage, let file = source as? RecordFile, !range.isEmpty else { return }
        let first = indices[range.lowerBound], last = indices[range.upperBound - 1]
        if last - first + 1 == range.count { file.prefetch(first..<(last + 1)) }
    }

    /// The bytes of image `index`.
    public func image(_ index: Int) -> [UInt8] {
        images(index..<index + 1)
    }

    /// The bytes of the images in `range`, one after another.
    public func images(_ range: Range<Int>) -> [UInt8] {
        if case .bytes(let bytes) = storage { return Array(bytes[(range.lowerBound * imageSize)..<(range.upperBound * imageSize)]) }
        var result = [UInt8](repeating: 0, count: range.count * imageSize)
        result.withUnsafeMutableBufferPointer { target in
            for (k, index) in range.enumerated() { copyImage(index, into: target.baseAddress! + k * imageSize) }
        }
        return result
    }

    /// Every image's bytes (a procedural set draws them all).
    public var pixels: [UInt8] { images(0..<count) }

    /// The first `n` images (all of them if there are fewer).
    public func prefix(_ n: Int) -> ImageSet {
        subset(Array(0..<min(n, count)))
    }

    /// The images at `indices`, in that order.
    public func subset(_ indices: [Int]) -> ImageSet {
        switch storage {
        case .bytes(let bytes):
            var chosen: [UInt8] = []
            chosen.reserveCapacity(indices.count * imageSize)
            for i in indices { chosen.append(contentsOf: bytes[(i * imageSize)..<((i + 1) * imageSize)]) }
            return ImageSet(imageShape: imageShape, pixels: chosen, labels: indices.map { labels[$0] })
        case .source(let source, let own):
            return ImageSet(source: source, indices: indices.map { own[$0] }, labels: indices.map { labels[$0] })
        }
    }
}

/// A dataset's training and test images and its class names.
public struct Dataset: Sendable {
    public var train: ImageSet
    public var test: ImageSet
    /// Class names, indexed by label.
    public var classNames: [String]
    /// The generative factors of a procedural dataset's images (dSprites), nil for others.
    public var factors: FactorGrid?
    /// Every image of the factor grid, in the grid's order (whatever `subset` left of `train`).
    public var gridImages: ImageSet?

    public init(train: ImageSet, test: ImageSet, classNames: [String], factors: FactorGrid? = nil, gridImages: ImageSet? = nil) {
        self.train = train
        self.test = test
        self.classNames = classNames
        self.factors = factors
        self.gridImages = gridImages
    }

    /// Indices into `test` of the first image of each class, in class order (classes with
    /// no test image are skipped), as the notebooks pick their holdout.
    public func firstTestImagePerClass() -> [Int] {
        var first: [Int32: Int] = [:]
        for (i, label) in test.labels.enumerated() where first[label] == nil { first[label] = i }
        return first.keys.sorted().map { first[$0]! }
    }
}
