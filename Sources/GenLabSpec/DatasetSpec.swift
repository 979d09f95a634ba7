import GenLabNN
/// Which images an experiment trains on and how they are scaled.
public struct DatasetSpec: Equatable, Sendable {
    public enum Name: String, Sendable, CaseIterable {
        case fashionMNIST = "fashion-mnist"
        case mnist
        case cifar10
        case imageFolder = "image-folder"
        /// dSprites, drawn by GenLab from its factor grid (no files).
        case dsprites
        /// A GenLab record file (`path`): images already decoded to one size, as the dataset
        /// cache keeps them, read from the mapped file (for datasets larger than memory).
        case records
    }

    /// How pixel bytes become network inputs.
    public enum Normalization: Equatable, Sendable {
        /// x / 255 ∈ [0, 1]
        case unit
        /// x / 127.5 − 1 ∈ [−1, 1] (for Tanh generators)
        case symmetric
        /// (x / 255 − mean[c]) / std[c]
        case meanStd(mean: [Double], std: [Double])

        /// The smallest and largest value a pixel can take once normalised.
        public var range: ClosedRange<Double>? {
            switch self {
            case .unit: return 0...1
            case .symmetric: return -1...1
            case .meanStd(let mean, let std):
                var ends: [Double] = []
                for (m, s) in zip(mean, std) {
                    ends.append(-m / s)
                    ends.append((1 - m) / s)
                }
                guard let low = ends.min(), let high = ends.max() else { return nil }
                return low...high
            }
        }
    }

    /// The order an epoch's batches take the training images in.
    public enum Shuffle: String, Equatable, Sendable, CaseIterable {
        /// Every epoch a seeded permutation of all the images (the notebooks' DataLoader).
        case full
        /// Blocks of consecutive images in a seeded order, shuffled within a buffer of
        /// blocks: reads stay sequential in a file larger than memory (`BlockShuffle`).
        case block
    }

    /// Which test images are held out for reconstructions.
    public enum Holdout: Equatable, Sendable {
        /// The first test image of each class, as the notebooks do.
        case perClass
        /// The first N test images.
        case first(Int)
    }

    public var name: Name
    /// Folder of the files (a record file's path); nil means the dataset's default place.
    public var path: String?
    /// Side of the square images the networks take: an image folder's are resized on the
    /// short side and centre-cropped to it; MNIST, Fashion-MNIST and CIFAR-10 are resized
    /// when it differs from their own (28, 28, 32).
    public var imageSize: Int
    /// 1 (grey) or 3 (RGB). An image folder's files (a record file's images, and their size)
    /// must have it; MNIST, Fashion-MNIST
    /// and CIFAR-10 are converted when it differs from their own (grey copied to RGB, RGB
    /// to luma).
    public var channels: Int
    public var normalization: Normalization
    /// Use only the first N training images.
    public var subset: Int?
    public var holdout: Holdout
    public var shuffle: Shuffle

    public init(name: Name, path: String?, imageSize: Int, channels: Int, normalization: Normalization,
                subset: Int?, holdout: Holdout, shuffle: Shuffle = .full) {
        self.name = name
        self.path = path
        self.imageSize = imageSize
        self.channels = channels
        self.normalization = normalization
        self.subset = subset
        self.holdout = holdout
        self.shuffle = shuffle
    }

    /// Where Debian's dataset-fashion-mnist package installs the default dataset.
    public static let fashionMNISTDefaultPath = "/usr/share/datasets/fashion-mnist"

    /// Images as the networks take them: (channels, height, width).
    public var imageShape: [Int] { [channels, imageSize, imageSize] }

    /// The shape of the files' own images (nil for an image folder, whose files vary).
    public var storedShape: [Int]? { DatasetSpec.storedShape(of: name) }

    static func storedShape(of name: Name) -> [Int]? {
        switch name {
        case .fashionMNIST, .mnist: [1, 28, 28]
        case .cifar10: [3, 32, 32]
        case .imageFolder, .records: nil
        case .dsprites: [1, 64, 64]
        }
    }

    /// Whether every image comes with its ground-truth generative factors (dSprites).
    public var hasFactors: Bool { name == .dsprites }

    /// The number of label classes (an image folder's is known once it is read; 0 here;
    /// dSprites' labels are its 3 shapes).
    public var classes: Int {
        switch name {
        case .imageFolder, .records: 0
        case .dsprites: 3
        default: 10
        }
    }

    static let keys = ["name", "path", "image_size", "channels", "normalize", "subset", "holdout", "shuffle"]

    static func parse(_ node: YAMLNode) throws(SpecError) -> DatasetSpec {
        let f = try node.fields("dataset", allowed: keys)
        let name = try f.required("name").choice("dataset.name", Name.self)
        if name == .mnist || name == .cifar10 || name == .imageFolder || name == .records, f["path"] == nil {
            throw SpecError(.missingKey, "'dataset.path' is required for \(name.rawValue): \(name == .records ? "the record file" : "the folder holding its files")", at: f.location)
        }
        if name == .dsprites {
            // drawn at its own size: nothing to read, nothing to convert
            for key in ["path", "image_size", "channels"] {
                if let given = f[key] {
                    throw SpecError(.notApplicable, "'dataset.\(key)' does not apply to dsprites: GenLab draws its 64×64 grey images itself", at: given.location)
                }
            }
        }
        // the files' own shape; an image folder's and a record file's defaults are RGB 64×64
        let native = storedShape(of: name) ?? [3, 64, 64]
        let channels = try f["channels"]?.int("dataset.channels", min: 1, max: 3) ?? native[0]
        guard channels == 1 || channels == 3 else {
            throw SpecError(.invalidValue, "'dataset.channels' must be 1 (grey) or 3 (RGB), found \(channels)", at: f["channels"]!.location)
        }
        var spec = DatasetSpec(
            name: name,
            path: try f["path"]?.string("dataset.path"),
            imageSize: try f["image_size"]?.int("dataset.image_size", min: 4, max: 1024) ?? native[1],
            channels: channels,
            normalization: .unit,
            subset: try f["subset"]?.int("dataset.subset", min: 1),
            holdout: .perClass,
            shuffle: try f["shuffle"]?.choice("dataset.shuffle", Shuffle.self) ?? .full)
        if let n = f["normalize"] { spec.normalization = try parseNormalization(n, channels: spec.imageShape[0]) }
        if let h = f["holdout"] {
            if h.plainText == "per_class" {
                spec.holdout = .perClass
            } else if h.plainText.flatMap(Int.init) != nil {
                spec.holdout = .first(try h.int("dataset.holdout", min: 1))
            } else {
                throw SpecError(.wrongType, "'dataset.holdout' must be 'per_class' or a number of images, found \(h.kindDescription)", at: h.location)
            }
        }
        return spec
    }

    private static func parseNormalization(_ node: YAMLNode, channels: Int) throws(SpecError) -> Normalization {
        switch node.plainText {
        case "unit": return .unit
        case "symmetric": return .symmetric
        case .some(let text):
            throw SpecError(.unknownName, NearestKey.unknownMessage("value", text, valid: ["unit", "symmetric"], in: "dataset.normalize") + " (or write {mean: […], std: […]})", at: node.location)
        case nil: break
        }
        let f = try node.fields("dataset.normalize", allowed: ["mean", "std"])
        func values(_ key: String, positive: Bool) throws(SpecError) -> [Double] {
            let items = try f.required(key).list(f.path(key), nonEmpty: true)
            guard items.count == channels else {
                throw SpecError(.invalidValue, "'\(f.path(key))' needs one value per channel (\(channels)), found \(items.count)", at: f[key]!.location)
            }
            var result: [Double] = []
            for (i, item) in items.enumerated() {
                result.append(positive ? try item.double("\(f.path(key))[\(i)]", exclusiveMin: 0) : try item.double("\(f.path(key))[\(i)]"))
            }
            return result
        }
        return .meanStd(mean: try values("mean", positive: false), std: try values("std", positive: true))
    }
}
