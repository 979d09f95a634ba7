/// Images kept as bytes (N × C × H × W, row-major) with their integer labels.
public struct ImageSet: Sendable {
    /// (C, H, W) of every image.
    public let imageShape: [Int]
    /// count · C · H · W bytes.
    public let pixels: [UInt8]
    /// One label per image, in 0..<classes.
    public let labels: [Int32]

    public init(imageShape: [Int], pixels: [UInt8], labels: [Int32]) {
        self.imageShape = imageShape
        self.pixels = pixels
        self.labels = labels
    }

    public var count: Int { labels.count }
    /// Bytes per image.
    public var imageSize: Int { imageShape.reduce(1, *) }

    /// The bytes of image `index`.
    public func image(_ index: Int) -> ArraySlice<UInt8> {
        pixels[(index * imageSize)..<((index + 1) * imageSize)]
    }

    /// The first `n` images (all of them if there are fewer).
    public func prefix(_ n: Int) -> ImageSet {
        let k = min(n, count)
        return ImageSet(imageShape: imageShape, pixels: Array(pixels[0..<(k * imageSize)]), labels: Array(labels[0..<k]))
    }

    /// The images at `indices`, in that order.
    public func subset(_ indices: [Int]) -> ImageSet {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(indices.count * imageSize)
        for i in indices { bytes.append(contentsOf: image(i)) }
        return ImageSet(imageShape: imageShape, pixels: bytes, labels: indices.map { labels[$0] })
    }
}

/// A dataset's training and test images and its class names.
public struct Dataset: Sendable {
    public var train: ImageSet
    public var test: ImageSet
    /// Class names, indexed by label.
    public var classNames: [String]

    public init(train: ImageSet, test: ImageSet, classNames: [String]) {
        self.train = train
        self.test = test
        self.classNames = classNames
    }

    /// Indices into `test` of the first image of each class, in class order (classes with
    /// no test image are skipped), as the notebooks pick their holdout.
    public func firstTestImagePerClass() -> [Int] {
        var first: [Int32: Int] = [:]
        for (i, label) in test.labels.enumerated() where first[label] == nil { first[label] = i }
        return first.keys.sorted().map { first[$0]! }
    }
}
