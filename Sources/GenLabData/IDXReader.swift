import GenLabTensor
import CZlib
import Foundation

/// MNIST-format IDX files (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-…`),
/// raw or gzip, in a plain folder or in torchvision's `MNIST/raw` / `FashionMNIST/raw`.
public enum IDXReader {
    /// Folders searched below the given one, in order.
    static let layouts = ["", "raw", "MNIST/raw", "FashionMNIST/raw"]

    /// Reads the training and test splits from `folder`.
    public static func load(folder: String, classNames: [String]) throws(DataError) -> Dataset {
        let train = try split(folder: folder, prefix: "train")
        let test = try split(folder: folder, prefix: "t10k")
        guard train.imageShape == test.imageShape else {
            throw DataError(.mismatch, "training images are \(train.imageShape.map(String.init).joined(separator: "×")) but test images are \(test.imageShape.map(String.init).joined(separator: "×"))", path: folder)
        }
        let classes = Int((train.labels.max() ?? 0) + 1)
        if !classNames.isEmpty {
            for (set, prefix) in [(train, "train"), (test, "t10k")] {
                if let bad = set.labels.firstIndex(where: { !(0..<Int32(classNames.count)).contains($0) }) {
                    throw DataError(.corrupt, "label \(set.labels[bad]) of image \(bad) is outside the dataset's \(classNames.count) classes (0–\(classNames.count - 1))",
                                    path: (try? find(folder: folder, name: "\(prefix)-labels-idx1-ubyte")) ?? folder)
                }
            }
        }
        let names = classNames.count >= classes ? classNames : (0..<classes).map(String.init)
        return Dataset(train: train, test: test, classNames: names)
    }

    /// The four files `load` reads from `folder`.
    static func files(folder: String) throws(DataError) -> [String] {
        var paths: [String] = []
        for prefix in ["train", "t10k"] {
            for kind in ["images-idx3", "labels-idx1"] { paths.append(try find(folder: folder, name: "\(prefix)-\(kind)-ubyte")) }
        }
        return paths
    }

    /// One split: images and labels, checked against each other.
    static func split(folder: String, prefix: String) throws(DataError) -> ImageSet {
        let imagesPath = try find(folder: folder, name: "\(prefix)-images-idx3-ubyte")
        let labelsPath = try find(folder: folder, name: "\(prefix)-labels-idx1-ubyte")
        let (imageDims, pixels) = try read(imagesPath, magic: 0x0803)
        let (labelDims, labelBytes) = try read(labelsPath, magic: 0x0801)
        guard imageDims[0] == labelDims[0] else {
            throw DataError(.corrupt, "\(imageDims[0]) images but \(labelDims[0]) labels in \(labelsPath)", path: imagesPath)
        }
        guard prefix != "train" || imageDims[0] > 0 else {
            throw DataError(.corrupt, "holds no images: a training set needs at least one batch", path: imagesPath)
        }
        return ImageSet(imageShape: [1, imageDims[1], imageDims[2]], pixels: pixels, labels: labelBytes.map { Int32($0) })
    }

    /// The path of `name` or `name.gz` in the first layout that has it; the error lists every
    /// path tried.
    static func find(folder: String, name: String) throws(DataError) -> String {
        var tried: [String] = []
        for layout in layouts {
            let base = layout.isEmpty ? folder : "\(folder)/\(layout)"
            for candidate in ["\(base)/\(name)", "\(base)/\(name).gz"] {
                if FileManager.default.fileExists(atPath: candidate) { return candidate }
                tried.append(candidate)
            }
        }
        throw DataError(.missing, "no \(name) file; tried \(tried.joined(separator: ", "))", path: folder)
    }

    /// The most data bytes one IDX file may announce (4 GiB; MNIST's images are 47 MB).
    static let maxDataBytes = 1 << 32

    /// Reads one IDX file (gzip or raw): its dimensions and its bytes, after checking the
    /// magic number (`0x0803` for images, `0x0801` for labels) and that the data has exactly
    /// the length its header announces. The header is read first and nothing beyond the
    /// announced length is decompressed, so a small file cannot expand into a huge allocation.
    static func read(_ path: String, magic: UInt32) throws(DataError) -> ([Int], [UInt8]) {
        guard let file = gzopen(path, "rb") else { throw DataError(.unreadable, "cannot open the file: \(String(cString: strerror(errno)))", path: path) }
        defer { gzclose(file) }
        gzbuffer(file, 1 << 20)
        let head = try readBytes(file, count: 4, path: path)
        guard head.count == 4 else { throw DataError(.corrupt, "file too short for an IDX header (\(head.count) bytes)", path: path) }
        let found = UInt32(head[0]) << 24 | UInt32(head[1]) << 16 | UInt32(head[2]) << 8 | UInt32(head[3])
        guard found == magic else {
            throw DataError(.corrupt, String(format: "wrong magic number 0x%08X (expected 0x%08X: unsigned bytes, %d dimensions)", found, magic, magic & 0xFF), path: path)
        }
        let rank = Int(magic & 0xFF)
        let sizes = try readBytes(file, count: 4 * rank, path: path)
        guard sizes.count == 4 * rank else { throw DataError(.corrupt, "file too short for an IDX header of \(rank) dimensions", path: path) }
        let dims = (0..<rank).map { d in (0..<4).reduce(0) { $0 << 8 | Int(sizes[4 * d + $1]) } }
        let description = dims.map(String.init).joined(separator: "×")
        guard let expected = Tensor.checkedElementCount(dims), expected <= maxDataBytes else {
            throw DataError(.tooLarge, "its header announces \(description) bytes of data, more than GenLab loads (\(maxDataBytes))", path: path)
        }
        guard rank == 1 || dims.dropFirst().allSatisfy({ (1...65_536).contains($0) }) else {
            throw DataError(.corrupt, "announces images of \(dims.dropFirst().map(String.init).joined(separator: "×")) pixels", path: path)
        }
        let data = try readBytes(file, count: expected + 1, path: path)
        guard data.count <= expected else {
            throw DataError(.corrupt, "holds more data than its header announces (\(description) = \(expected) bytes; corrupt)", path: path)
        }
        guard data.count == expected else {
            throw DataError(.corrupt, "holds \(data.count) data bytes but its header announces \(description) = \(expected) (truncated or corrupt)", path: path)
        }
        return (dims, data)
    }

    /// Up to `count` bytes from the file (fewer at its end), decompressed when it is gzip
    /// (zlib reads raw files as they are); memory grows with what is really read.
    static func readBytes(_ file: gzFile, count: Int, path: String) throws(DataError) -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: min(count, 1 << 22))
        while result.count < count {
            let want = UInt32(min(count - result.count, chunk.count))
            let n = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, want) }
            if n < 0 {
                var code: Int32 = 0
                let message = gzerror(file, &code).map { String(cString: $0) } ?? "read error"
                throw DataError(.corrupt, "corrupt gzip data: \(message)", path: path)
            }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<Int(n)])
        }
        return result
    }
}
