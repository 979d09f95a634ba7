import Foundation

/// CIFAR-10's binary version: `data_batch_1.bin … data_batch_5.bin` and `test_batch.bin`,
/// records of one label byte and 3,072 channel-major pixel bytes (3×32×32), in a folder or
/// its `cifar-10-batches-bin` subfolder.
public enum CIFAR10Reader {
    public static let classNames = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    static let recordSize = 1 + 3 * 32 * 32
    /// The largest batch file read (1 GiB; the real ones are 30,730,000 bytes).
    static let maxBatchBytes = 1 << 30

    public static func load(folder: String) throws(DataError) -> Dataset {
        let paths = try files(folder: folder)
        let train = try read(Array(paths.dropLast()))
        let test = try read([paths.last!])
        return Dataset(train: train, test: test, classNames: classNames)
    }

    /// The batch files `load` reads from `folder`: the five training batches, then the test
    /// batch.
    static func files(folder: String) throws(DataError) -> [String] {
        let base = try locate(folder)
        return (1...5).map { "\(base)/data_batch_\($0).bin" } + ["\(base)/test_batch.bin"]
    }

    /// The folder holding the batch files: `folder` or `folder/cifar-10-batches-bin`.
    static func locate(_ folder: String) throws(DataError) -> String {
        let candidates = [folder, "\(folder)/cifar-10-batches-bin"]
        for c in candidates where FileManager.default.fileExists(atPath: "\(c)/data_batch_1.bin") { return c }
        throw DataError(.missing, "no CIFAR-10 binary batches; tried \(candidates.map { "\($0)/data_batch_1.bin" }.joined(separator: ", "))", path: folder)
    }

    static func read(_ paths: [String]) throws(DataError) -> ImageSet {
        var pixels: [UInt8] = []
        var labels: [Int32] = []
        for path in paths {
            var info = stat()
            guard stat(path, &info) == 0 else { throw DataError(.missing, "missing CIFAR-10 batch file", path: path) }
            guard Int(info.st_size) <= maxBatchBytes else {
                throw DataError(.tooLarge, "is \(info.st_size) bytes; a CIFAR-10 batch file is 30,730,000 (at most \(maxBatchBytes) are read)", path: path)
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw DataError.unreadable(path)
            }
            guard !data.isEmpty, data.count % recordSize == 0 else {
                throw DataError(.corrupt, "\(data.count) bytes is not a whole number of 3,073-byte records (truncated or not a CIFAR-10 batch)", path: path)
            }
            let records = data.count / recordSize
            pixels.reserveCapacity(pixels.count + records * (recordSize - 1))
            let bytes = [UInt8](data)
            for r in 0..<records {
                let label = bytes[r * recordSize]
                guard label < 10 else {
                    throw DataError(.corrupt, "record \(r) has label \(label); CIFAR-10 labels are 0–9", path: path)
                }
                labels.append(Int32(label))
                pixels.append(contentsOf: bytes[(r * recordSize + 1)..<((r + 1) * recordSize)])
            }
        }
        return ImageSet(imageShape: [3, 32, 32], pixels: pixels, labels: labels)
    }
}
