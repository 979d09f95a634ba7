import GenLabCore
import Glibc

/// Writes a record file (`RecordFile`'s layout) one image at a time, so that a dataset is
/// never held whole in memory while it is decoded into one: the images go out through a
/// buffer as they come, the labels are kept (4 bytes each), and `finish` writes the labels
/// and class names, then the header, and flushes the file to disk. Every failure of the system (a full disk,
/// a file too large) is a `.unwritable` error naming the file.
public final class RecordFileWriter {
    let path: String
    private let descriptor: Int32
    private let key: [UInt8]
    private var buffer: [UInt8] = []
    private var labels: [Int32] = []
    private var imageSize: Int?
    private var offset: Int
    private static let bufferBytes = 4 << 20

    /// Creates the file at `path` (nothing may be there) for the images decoded from `key`.
    public init(creating path: String, key: String) throws(DataError) {
        self.path = path
        self.key = Array(key.utf8)
        descriptor = PrivateFile.create(path)
        guard descriptor >= 0 else { throw RecordFileWriter.failure("cannot create the record file", path) }
        offset = RecordHeader.imagesOffset(keyBytes: self.key.count)
        buffer.reserveCapacity(RecordFileWriter.bufferBytes)
    }

    deinit { close(descriptor) }

    /// Adds one image (C·H·W bytes, the same count for every image) and its label.
    public func append(_ image: [UInt8], label: Int32) throws(DataError) {
        guard labels.count < RecordFile.maxImages else {
            throw DataError(.tooLarge, "the dataset has more than \(RecordFile.maxImages) images, the most a record file holds", path: path)
        }
        if imageSize == nil { imageSize = image.count }
        precondition(image.count == imageSize, "the images of a record file all have one size")
        buffer.append(contentsOf: image)
        labels.append(label)
        if buffer.count >= RecordFileWriter.bufferBytes { try flush() }
    }

    /// Writes the labels and class names (labels index them) and the header (the first
    /// `trainCount` images are the training split, the rest the test split, all of
    /// `imageShape`) and flushes the file to disk.
    public func finish(imageShape: [Int], trainCount: Int, classNames: [String]) throws(DataError) {
        precondition(imageSize == nil || imageSize == imageShape.reduce(1, *), "the images are of the shape announced")
        precondition((0...labels.count).contains(trainCount), "the training images are among those written")
        let names: [UInt8] = classNames.flatMap { Array($0.utf8) + [0] }
        guard key.count + names.count <= RecordHeader.maxTextBytes else {
            throw DataError(.tooLarge, "the dataset's key and class names take \(key.count + names.count) bytes; a record file holds at most \(RecordHeader.maxTextBytes)", path: path)
        }
        try flush()
        var tail: [UInt8] = []
        tail.reserveCapacity(4 * labels.count + names.count)
        for label in labels { withUnsafeBytes(of: label.littleEndian) { tail.append(contentsOf: $0) } }
        tail += names
        try write(tail, at: offset)
        var header: [UInt8] = RecordFile.magic
        func put<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { header.append(contentsOf: $0) } }
        put(RecordFile.version)
        for side in imageShape { put(UInt32(side)) }
        put(UInt64(trainCount))
        put(UInt64(labels.count - trainCount))
        put(UInt64(0)) // the checksum, below
        put(UInt32(key.count))
        put(UInt32(names.count))
        header += key
        var checksum = FNV1a()
        header.withUnsafeBytes { checksum.add($0) }
        tail.withUnsafeBytes { checksum.add($0) }
        header.replaceSubrange(40..<48, with: withUnsafeBytes(of: checksum.value.littleEndian) { Array($0) })
        try write(header, at: 0)
        guard fsync(descriptor) == 0 else { throw RecordFileWriter.failure("cannot flush the record file to disk", path) }
    }

    private func flush() throws(DataError) {
        try write(buffer, at: offset)
        offset += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    private func write(_ bytes: [UInt8], at position: Int) throws(DataError) {
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress! + done, bytes.count - done, off_t(position + done)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw RecordFileWriter.failure("cannot write the record file", path) }
            done += count
        }
    }

    private static func failure(_ what: String, _ path: String) -> DataError {
        DataError(.unwritable, "\(what): \(String(cString: strerror(errno)))", path: path)
    }
}
