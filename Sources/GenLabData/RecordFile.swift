import GenLabCore
import Glibc

/// A record file: a dataset's decoded images, all of one size, with their labels, in one file
/// that every process training on it maps read-only, so that the operating system's page
/// cache holds the one copy they share (GenLab's decoded-dataset cache).
///
/// Layout (integers little-endian):
///
/// | offset | bytes | |
/// |---|---|---|
/// | 0 | 8 | `GLRECORD` |
/// | 8 | 4 | format version (1) |
/// | 12 | 12 | channels, height, width (UInt32 each) |
/// | 24 | 16 | training images, test images (UInt64 each) |
/// | 40 | 8 | checksum: FNV-1a 64 of the header (these 8 bytes read as 0), the labels and the class names |
/// | 48 | 8 | bytes of the key, bytes of the class names (UInt32 each) |
/// | 56 | | the key (UTF-8: what the images were decoded from) |
/// | next multiple of 4,096 | (train + test) · C·H·W | the images, training images first, each C × H × W bytes |
/// | after the images | 4 per image | the labels (Int32) |
/// | after the labels | | the class names (UTF-8, each followed by a 0 byte) |
///
/// The file ends there. The images are not in the checksum: reading them all would take
/// longer than a start may (a 2.5 GB dataset); a file of the wrong length, header, key or
/// labels is rejected before any image is read.
public final class RecordFile: ImageSource, @unchecked Sendable {
    /// The format's first bytes and version.
    static let magic = Array("GLRECORD".utf8)
    static let version: UInt32 = 1
    static let fixedHeaderBytes = 56
    static let pageBytes = 4096
    /// The most images a record file holds (2²⁵, 33.5 million: ImageNet-21k's 14 million fit),
    /// so that its labels and indices (16 bytes an image) stay within 512 MiB, however small
    /// the images a file announces.
    static let maxImages = 1 << 25

    public let path: String
    /// What the images were decoded from (the cache's key).
    public let key: String
    /// (C, H, W) of every image.
    public let imageShape: [Int]
    public let trainCount: Int
    public let testCount: Int
    public let classNames: [String]
    /// One label per image, training images first.
    public let labels: [Int32]
    private let mapping: UnsafeRawPointer
    private let length: Int
    private let imagesOffset: Int

    /// Maps the record file at `path`, checking its length, header, checksum and, when given,
    /// its key. Throws `.corrupt` for a file that is not a whole record file and `.mismatch`
    /// for one built from something else than `key`. A symbolic link at `path` is followed
    /// only with `followingLinks` (a dataset the user names; never a cache entry).
    public init(path: String, key expected: String? = nil, followingLinks: Bool = false) throws(DataError) {
        let descriptor = PrivateFile.openRegular(followingLinks ? SourceFiles.canonical(path) : path, O_RDONLY)
        guard descriptor >= 0 else {
            if errno == ENOENT { throw DataError(.missing, "no such record file", path: path) }
            if let irregularity = PrivateFile.irregularity(path) { throw DataError(.unreadable, "is \(irregularity)", path: path) }
            throw DataError.unreadable(path)
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw DataError.unreadable(path) }
        length = Int(status.st_size)
        guard length >= RecordFile.fixedHeaderBytes else {
            throw DataError(.corrupt, "is \(length) bytes, shorter than a record file's header", path: path)
        }
        guard let mapped = mmap(nil, length, PROT_READ, MAP_SHARED, descriptor, 0), mapped != MAP_FAILED else {
            throw DataError(.unreadable, "cannot map the record file: \(String(cString: strerror(errno)))", path: path)
        }
        mapping = UnsafeRawPointer(mapped)
        do throws(DataError) {
            let header = try RecordHeader(UnsafeRawBufferPointer(start: mapping, count: length), path: path)
            (key, imageShape, trainCount, testCount, classNames, imagesOffset) =
                (header.key, header.imageShape, header.trainCount, header.testCount, header.classNames, header.imagesOffset)
            labels = header.labels
            if let expected, expected != key {
                throw DataError(.mismatch, "was decoded from another source (its key is '\(key)', not '\(expected)')", path: path)
            }
        } catch {
            munmap(mapped, length)
            throw error
        }
        self.path = path
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: mapping), length) }

    public var imageSize: Int { imageShape.reduce(1, *) }

    public func render(_ index: Int, into target: UnsafeMutablePointer<UInt8>) {
        precondition(index >= 0 && index < trainCount + testCount, "record \(index) is outside the file's \(trainCount + testCount)")
        target.update(from: (mapping + imagesOffset + index * imageSize).assumingMemoryBound(to: UInt8.self), count: imageSize)
    }

    /// The images as a dataset, read from the mapping as batches need them.
    public var dataset: Dataset {
        let split = trainCount
        let train = ImageSet(source: self, indices: Array(0..<split), labels: Array(labels[..<split]))
        let test = ImageSet(source: self, indices: Array(split..<labels.count), labels: Array(labels[split...]))
        return Dataset(train: train, test: test, classNames: classNames)
    }

    /// Asks the system to read records `range` ahead of their use (a block of a block-shuffled
    /// epoch).
    public func prefetch(_ range: Range<Int>) {
        let page = RecordFile.pageBytes
        let start = (imagesOffset + range.lowerBound * imageSize) / page * page
        let end = min(imagesOffset + range.upperBound * imageSize, length)
        guard end > start else { return }
        madvise(UnsafeMutableRawPointer(mutating: mapping + start), end - start, MADV_WILLNEED)
    }
}

/// A record file's header, read and checked.
struct RecordHeader {
    var key: String
    var imageShape: [Int]
    var trainCount: Int
    var testCount: Int
    var classNames: [String]
    var imagesOffset: Int
    var labels: [Int32]

    /// The most bytes of key and class names a record file may hold (1 MiB: ImageNet's
    /// 1,000 class names take 20 KB).
    static let maxTextBytes = 1 << 20

    /// Reads the header of the whole file `file`.
    init(_ file: UnsafeRawBufferPointer, path: String) throws(DataError) {
        func corrupt(_ message: String) -> DataError { DataError(.corrupt, message, path: path) }
        guard Array(file[0..<8]) == RecordFile.magic else { throw corrupt("is not a GenLab record file (it does not begin with GLRECORD)") }
        func u32(_ at: Int) -> Int { Int(UInt32(littleEndian: file.loadUnaligned(fromByteOffset: at, as: UInt32.self))) }
        func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: file.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        guard u32(8) == RecordFile.version else { throw corrupt("is a record file of format version \(u32(8)); this GenLab reads version \(RecordFile.version)") }
        let shape = [u32(12), u32(16), u32(20)]
        guard (1...4).contains(shape[0]), (1...65_536).contains(shape[1]), (1...65_536).contains(shape[2]) else {
            throw corrupt("announces images of \(shape.map(String.init).joined(separator: "×")) (damaged header)")
        }
        let keyBytes = u32(48), nameBytes = u32(52)
        guard keyBytes + nameBytes <= RecordHeader.maxTextBytes, RecordFile.fixedHeaderBytes + keyBytes + nameBytes <= file.count else {
            throw corrupt("announces \(keyBytes + nameBytes) bytes of key and class names, more than the file holds (damaged header)")
        }
        let imagesOffset = RecordHeader.imagesOffset(keyBytes: keyBytes)
        let imageSize = shape.reduce(1, *)
        // every size checked against the file's own length before it is multiplied out
        let (train, test) = (u64(24), u64(32))
        let room = UInt64(max(0, file.count - imagesOffset - nameBytes))
        guard train <= room, test <= room, train + test <= room / UInt64(imageSize + 4),
              imagesOffset + Int(train + test) * (imageSize + 4) + nameBytes == file.count else {
            throw corrupt("is \(file.count) bytes, not the \(train) + \(test) images of \(shape.map(String.init).joined(separator: "×")) and their labels its header announces (truncated or damaged)")
        }
        let count = Int(train + test)
        guard count <= RecordFile.maxImages else {
            throw corrupt("announces \(count) images; a record file holds at most \(RecordFile.maxImages)")
        }
        let labelsOffset = imagesOffset + count * imageSize
        var checksum = FNV1a()
        checksum.add(UnsafeRawBufferPointer(rebasing: file[0..<40]))
        checksum.add(bytesOf: UInt64(0))
        checksum.add(UnsafeRawBufferPointer(rebasing: file[48..<(RecordFile.fixedHeaderBytes + keyBytes)]))
        checksum.add(UnsafeRawBufferPointer(rebasing: file[labelsOffset...]))
        guard checksum.value == u64(40) else { throw corrupt("fails its checksum (a damaged header, labels or class names)") }
        let text = { (range: Range<Int>) in String(decoding: file[range], as: UTF8.self) }
        key = text(RecordFile.fixedHeaderBytes..<(RecordFile.fixedHeaderBytes + keyBytes))
        let names = text((file.count - nameBytes)..<file.count)
        let classes = names.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init)
        let labels = (0..<count).map { Int32(littleEndian: file.loadUnaligned(fromByteOffset: labelsOffset + 4 * $0, as: Int32.self)) }
        if let bad = labels.firstIndex(where: { $0 < 0 || Int($0) >= max(classes.count, 1) }) {
            throw corrupt("label \(labels[bad]) of image \(bad) is outside its \(classes.count) classes")
        }
        classNames = classes
        self.labels = labels
        imageShape = shape
        trainCount = Int(train)
        testCount = Int(test)
        self.imagesOffset = imagesOffset
    }

    /// Where the images begin after a header holding a key of `keyBytes`.
    static func imagesOffset(keyBytes: Int) -> Int {
        let page = RecordFile.pageBytes
        return (RecordFile.fixedHeaderBytes + keyBytes + page - 1) / page * page
    }
}
