import Foundation
import GenLabCore
import GenLabData
import GenLabSpec
import GenLabTestSupport
import Glibc
import Synchronization
import Testing

/// The decoded-dataset cache: the images mapped from an entry are the bytes decoding gives,
/// for every format; a changed source, a damaged entry and a stopped build never give
/// images of anything else; two builders build once; a full disk decodes into memory.
@Suite struct DecodedCacheTests {
    /// The datasets of every supported format the cache holds.
    enum Format: String, CaseIterable {
        case pngGrey, pngRGB, jpegGrey, jpegRGB, trainAndTest, idx, idxGzipConverted, cifar, cifarToGrey
    }

    /// A fresh cache folder.
    static func cache() throws -> DecodedCache { DecodedCache(folder: try DatasetFiles.folder("cache")) }

    /// An image folder of two classes of `count` images each, of sizes that the resize and
    /// crop change (10×7 and 7×12), in PNG or JPEG, grey or RGB; with `split`, as train/ and
    /// test/ subfolders.
    static func imageFolder(channels: Int, jpeg: Bool, count: Int = 3, split: Bool = false) throws -> String {
        let folder = try DatasetFiles.folder("folder")
        for part in split ? ["train", "test"] : [""] {
            for (c, name) in ["a", "b"].enumerated() {
                let classFolder = part.isEmpty ? "\(folder)/\(name)" : "\(folder)/\(part)/\(name)"
                try FileManager.default.createDirectory(atPath: classFolder, withIntermediateDirectories: true)
                for k in 0..<count {
                    let (w, h) = k % 2 == 0 ? (10, 7) : (7, 12)
                    try DatasetFiles.writeImage("\(classFolder)/\(k).\(jpeg ? "jpg" : "png")", pixels: DatasetFiles.pixels(w * h * channels, seed: 10 * c + k),
                                                width: w, height: h, channels: channels, jpeg: jpeg)
                }
            }
        }
        return folder
    }

    static func spec(_ name: DatasetSpec.Name, _ path: String, size: Int, channels: Int) -> DatasetSpec {
        DatasetSpec(name: name, path: path, imageSize: size, channels: channels, normalization: .unit, subset: nil, holdout: .perClass)
    }

    /// The experiment's dataset of `format`, in files the test writes.
    static func dataset(_ format: Format) throws -> DatasetSpec {
        switch format {
        case .pngGrey: return spec(.imageFolder, try imageFolder(channels: 1, jpeg: false), size: 6, channels: 1)
        case .pngRGB: return spec(.imageFolder, try imageFolder(channels: 3, jpeg: false), size: 6, channels: 3)
        case .jpegGrey: return spec(.imageFolder, try imageFolder(channels: 1, jpeg: true), size: 5, channels: 1)
        case .jpegRGB: return spec(.imageFolder, try imageFolder(channels: 3, jpeg: true), size: 8, channels: 3)
        case .trainAndTest: return spec(.imageFolder, try imageFolder(channels: 3, jpeg: false, split: true), size: 6, channels: 3)
        case .idx, .idxGzipConverted:
            let folder = try DatasetFiles.folder("idx")
            _ = try DatasetFiles.writeIDX(folder: folder, gzip: format == .idxGzipConverted, train: 9, test: 4, h: 28, w: 28)
            return format == .idx ? spec(.fashionMNIST, folder, size: 28, channels: 1) : spec(.mnist, folder, size: 32, channels: 3)
        case .cifar, .cifarToGrey:
            let folder = try DatasetFiles.folder("cifar")
            for (i, name) in ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"].enumerated() {
                try DatasetFiles.write((0..<2).flatMap { r in [UInt8((i + r) % 10)] + DatasetFiles.pixels(3072, seed: 7 * i + r) }, to: "\(folder)/\(name).bin")
            }
            return format == .cifar ? spec(.cifar10, folder, size: 32, channels: 3) : spec(.cifar10, folder, size: 16, channels: 1)
        }
    }

    /// Whether two datasets hold the same images, labels and classes, bit for bit.
    static func same(_ a: Dataset, _ b: Dataset) -> Bool {
        a.train.imageShape == b.train.imageShape && a.train.pixels == b.train.pixels && a.test.pixels == b.test.pixels
            && a.train.labels == b.train.labels && a.test.labels == b.test.labels && a.classNames == b.classNames
    }

    @Test(arguments: Format.allCases)
    func cachedImagesAreTheDecodedOnes(_ format: Format) throws {
        let spec = try Self.dataset(format)
        let cache = try Self.cache()
        let decoded = try DatasetLoader.load(spec).dataset
        let built = try DatasetLoader.load(spec, cache: cache)
        let read = try DatasetLoader.load(spec, cache: cache)
        #expect(built.cache == .built(because: nil) && read.cache == .read)
        #expect(decoded.train.count > 0 && Self.same(decoded, built.dataset) && Self.same(decoded, read.dataset))
        #expect(read.dataset.train.sourceIndex(0) != nil, "the images are read from the entry, not kept")
        // the batches training takes are the same floats
        let batches = [decoded, read.dataset].map { dataset in
            let loader = BatchLoader(images: dataset.train, batchSize: 4, dropLast: false, shuffle: true, seed: 3, normalization: .symmetric)
            loader.load(epoch: 1, index: 0)
            return (loader.batch.values, loader.labels)
        }
        #expect(batches[0].0 == batches[1].0 && batches[0].1 == batches[1].1)
        #expect(cache.entries().count == 1 && cache.entries()[0].problem == nil)
    }

    @Test func aSubsetIsTakenFromTheEntry() throws {
        var spec = try Self.dataset(.idx)
        spec.subset = 5
        let cache = try Self.cache()
        let (dataset, outcome) = try DatasetLoader.load(spec, cache: cache)
        #expect(outcome == .built(because: nil) && dataset.train.count == 5 && dataset.test.count == 4)
        #expect(dataset.train.pixels == (try DatasetLoader.load(spec).dataset.train.pixels))
    }

    /// `dataset: {name: records, path: …}` trains from a record file (here an entry of the
    /// cache): the same images, mapped; a file of another image size is a mismatch naming the
    /// keys to set; a missing one is missing.
    @Test func aRecordFileIsADataset() throws {
        let spec = try Self.dataset(.pngRGB)
        let cache = try Self.cache()
        let decoded = try DatasetLoader.load(spec, cache: cache).dataset
        let path = cache.entries()[0].path
        let (read, outcome) = try DatasetLoader.load(Self.spec(.records, path, size: 6, channels: 3), cache: cache)
        #expect(outcome == nil && Self.same(decoded, read) && read.train.sourceIndex(0) != nil)
        let wrong = try #require(throws: DataError.self) { try DatasetLoader.load(Self.spec(.records, path, size: 8, channels: 3)) }
        #expect(wrong.reason == .mismatch && wrong.message.contains("dataset.image_size") && wrong.path == path, "\(wrong)")
        let missing = try #require(throws: DataError.self) { try DatasetLoader.load(Self.spec(.records, path + ".not", size: 6, channels: 3)) }
        #expect(missing.reason == .missing && missing.path == path + ".not")
        // a link to it is followed; a folder or a FIFO is refused at once, not read or waited on
        try FileManager.default.createSymbolicLink(atPath: path + ".link", withDestinationPath: path)
        #expect(Self.same(decoded, try DatasetLoader.load(Self.spec(.records, path + ".link", size: 6, channels: 3)).dataset))
        #expect(mkfifo(path + ".fifo", 0o600) == 0)
        for odd in [(path as NSString).deletingLastPathComponent, path + ".fifo"] {
            let error = try #require(throws: DataError.self) { try DatasetLoader.load(Self.spec(.records, odd, size: 6, channels: 3)) }
            #expect(error.reason == .unreadable && error.message.contains("not a"), "\(error)")
        }
    }

    /// The files an image folder reads are those whose `NSString.pathExtension` is PNG's or
    /// JPEG's, in any case (GenLab's own test of the extension must agree on every odd name).
    @Test func imageFilesAreThoseFoundationCallsImages() throws {
        let folder = try DatasetFiles.folder("names")
        try FileManager.default.createDirectory(atPath: "\(folder)/a", withIntermediateDirectories: true)
        let names = ["a.PNG", ".png", "..png", "x.png.", "y.jpg ", "z.JpEg", "w.tar.png", "v.p ng", "u.", "...", "t.jpeg.\u{301}", "s png", "r.jpg"]
        for name in names {
            try DatasetFiles.writeImage("\(folder)/a/\(name)", pixels: DatasetFiles.pixels(12, seed: 1), width: 2, height: 2, channels: 3, jpeg: false)
        }
        let expected = names.filter { ["png", "jpg", "jpeg"].contains(($0 as NSString).pathExtension.lowercased()) }
        #expect(expected.count == 5)
        #expect(try ImageFolderReader.load(folder: folder, size: 2).train.count == expected.count)
    }

    /// A file touched, added or removed: the entry no longer matches and is decoded again
    /// under the same name.
    @Test func aChangedSourceIsDecodedAgain() throws {
        let spec = try Self.dataset(.pngRGB), folder = spec.path!
        let cache = try Self.cache()
        _ = try DatasetLoader.load(spec, cache: cache)
        var times = [timespec(tv_sec: 1_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, "\(folder)/a/0.png", &times, 0) == 0)
        var (dataset, outcome) = try DatasetLoader.load(spec, cache: cache)
        guard case .built(let reason?) = outcome else { Issue.record("a touched file: \(outcome as Any)"); return }
        #expect(reason.contains("another source"), "\(reason)")
        try FileManager.default.copyItem(atPath: "\(folder)/a/0.png", toPath: "\(folder)/a/9.png")
        (dataset, outcome) = try DatasetLoader.load(spec, cache: cache)
        #expect(dataset.train.count == 7 && outcome != .read)
        try FileManager.default.removeItem(atPath: "\(folder)/b/1.png")
        (dataset, outcome) = try DatasetLoader.load(spec, cache: cache)
        let decoded = try DatasetLoader.load(spec).dataset
        #expect(dataset.train.count == 6 && outcome != .read && Self.same(dataset, decoded))
        #expect(cache.entries().count == 1)
    }

    enum Damage: String, CaseIterable {
        case empty, truncatedHeader, truncatedImages, longer, magic, version, shape, counts, label, className, anotherFolders
    }

    /// Each damage is detected before an image is read, the entry is built again, and the
    /// images are the decoded ones.
    @Test(arguments: Damage.allCases)
    func aDamagedEntryIsRebuiltNeverRead(_ damage: Damage) throws {
        let spec = try Self.dataset(.idx)
        let cache = try Self.cache()
        _ = try DatasetLoader.load(spec, cache: cache)
        let path = cache.entries()[0].path
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        switch damage {
        case .empty: bytes = []
        case .truncatedHeader: bytes = Array(bytes.prefix(30))
        case .truncatedImages: bytes = Array(bytes.prefix(bytes.count - 100))
        case .longer: bytes += [0]
        case .magic: bytes[0] = UInt8(ascii: "X")
        case .version: bytes[8] = 2
        case .shape: bytes[16] = 0xFF
        case .counts: bytes[24] = 0xFF
        case .label: bytes[bytes.count - 60] ^= 1
        case .className: bytes[bytes.count - 2] ^= 0x20
        case .anotherFolders:
            // a whole, valid entry of another dataset, copied over this one
            let other = try Self.cache()
            _ = try DatasetLoader.load(try Self.dataset(.idx), cache: other)
            bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: other.entries()[0].path)))
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        if damage != .anotherFolders { #expect(cache.entries()[0].problem != nil, "\(damage) is seen by list") }
        let (dataset, outcome) = try DatasetLoader.load(spec, cache: cache)
        guard case .built(let reason?) = outcome else { Issue.record("\(damage): \(outcome as Any)"); return }
        #expect(!reason.isEmpty)
        #expect(Self.same(dataset, try DatasetLoader.load(spec).dataset))
        #expect(try DatasetLoader.load(spec, cache: cache).cache == .read)
    }

    /// Headers that announce more than the file holds are refused without allocating it.
    @Test func hostileHeadersAreRefused() throws {
        let folder = try DatasetFiles.folder("hostile")
        var header = Array("GLRECORD".utf8) + [1, 0, 0, 0] + [3, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0]
        header += [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F] + [UInt8](repeating: 0, count: 8) + [UInt8](repeating: 0, count: 8)
        header += [0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0x7F]
        for (i, bytes) in [header, header + [UInt8](repeating: 0, count: 5000)].enumerated() {
            let path = "\(folder)/\(i).records"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let error = try #require(throws: DataError.self) { try RecordFile(path: path) }
            #expect(error.reason == .corrupt && error.path == path)
        }
    }

    /// A file of the length its header announces, but of more images than a record file holds
    /// (1×1×1 images: 5 bytes each with the label), is refused before its labels are read.
    @Test func tooManyImagesAreRefused() throws {
        let path = try DatasetFiles.folder("many") + "/many.records"
        let count = (1 << 25) + 1
        var header = Array("GLRECORD".utf8) + [1, 0, 0, 0] + [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]
        withUnsafeBytes(of: UInt64(count).littleEndian) { header += $0 }
        header += [UInt8](repeating: 0, count: 16) + [0, 0, 0, 0, 0, 0, 0, 0]
        try Data(header).write(to: URL(fileURLWithPath: path))
        #expect(truncate(path, off_t(4096 + 5 * count)) == 0) // sparse: the images and labels read as 0
        let error = try #require(throws: DataError.self) { try RecordFile(path: path) }
        #expect(error.reason == .corrupt && error.message.contains("at most 33554432"), "\(error)")
    }

    /// Two loaders at once (two open lock files, as two processes): one builds, the other
    /// waits and maps what the first built.
    @Test func twoLoadersBuildOnce() async throws {
        let spec = try Self.dataset(.jpegRGB)
        let cache = try Self.cache()
        let outcomes = try await withThrowingTaskGroup(of: DecodedCache.Outcome?.self) { group in
            for _ in 0..<2 { group.addTask { try DatasetLoader.load(spec, cache: cache).cache } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == .read }.count == 1 && outcomes.filter { $0 == .built(because: nil) }.count == 1, "\(outcomes)")
    }

    /// A loader that finds the entry's lock held says so (`waiting`), waits, and goes on once
    /// it is released.
    @Test func aLoaderSaysItWaitsForAnotherBuild() async throws {
        let spec = try Self.dataset(.idx)
        let cache = try Self.cache()
        _ = try DatasetLoader.load(spec, cache: cache)
        let entry = cache.entries()[0].path
        try FileManager.default.removeItem(atPath: entry)
        let held = open(entry + ".lock", O_RDWR)
        #expect(flock(held, LOCK_EX) == 0)
        let waited = Mutex(false)
        let load = Task.detached { try DatasetLoader.load(spec, cache: cache) { waited.withLock { $0 = true } }.cache }
        for _ in 0..<500 where !waited.withLock({ $0 }) { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(waited.withLock { $0 })
        close(held)
        #expect(try await load.value == .built(because: nil))
    }

    /// A build stopped before its rename (killed) leaves only its temporary file: the next
    /// load does not read it, builds the entry and removes it.
    @Test func aStoppedBuildLeavesNothingThatIsRead() throws {
        let spec = try Self.dataset(.idx)
        let cache = try Self.cache()
        _ = try DatasetLoader.load(spec, cache: cache)
        let entry = cache.entries()[0].path
        let leftover = PrivateFile.temporaryName(beside: entry)
        try FileManager.default.moveItem(atPath: entry, toPath: leftover)
        #expect(cache.entries().isEmpty)
        let (dataset, outcome) = try DatasetLoader.load(spec, cache: cache)
        let decoded = try DatasetLoader.load(spec).dataset
        #expect(outcome == .built(because: nil) && Self.same(dataset, decoded))
        #expect(!FileManager.default.fileExists(atPath: leftover))
    }

    /// `clear` removes the entries and stopped builds' files, and leaves an entry whose
    /// build runs (its lock held); a dataset already mapped keeps its images.
    @Test func clearLeavesEntriesBeingBuilt() throws {
        let cache = try Self.cache()
        let (first, _) = try DatasetLoader.load(try Self.dataset(.idx), cache: cache)
        let second = try Self.dataset(.cifar)
        _ = try DatasetLoader.load(second, cache: cache)
        let paths = cache.entries().map(\.path)
        let stopped = PrivateFile.temporaryName(beside: paths[0])
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: stopped))
        let held = open(paths[1] + ".lock", O_RDWR)
        #expect(flock(held, LOCK_EX) == 0)
        let pixels = first.train.pixels
        let (removed, building) = try cache.clear()
        close(held)
        #expect(removed.map(\.path) == [paths[0]] && building == [paths[1]])
        #expect(!FileManager.default.fileExists(atPath: stopped) && cache.entries().map(\.path) == [paths[1]])
        #expect(first.train.pixels == pixels)
        #expect(try cache.clear().removed.count == 1 && cache.entries().isEmpty)
    }

    /// Building an entry removes those whose source folder is gone (a temporary dataset's).
    @Test func entriesOfRemovedFoldersAreRemoved() throws {
        let cache = try Self.cache()
        let gone = try Self.dataset(.idx)
        _ = try DatasetLoader.load(gone, cache: cache)
        try FileManager.default.removeItem(atPath: gone.path!)
        _ = try DatasetLoader.load(try Self.dataset(.cifar), cache: cache)
        #expect(cache.entries().count == 1 && cache.entries()[0].key?.contains("cifar10") == true)
    }

    /// The cache folder on a file system too small for the entry: the write fails, the
    /// images come from memory, identical, and nothing is left in the folder. Needs root
    /// (a 64 KiB tmpfs is mounted); skipped otherwise.
    @Test func aFullDiskDecodesIntoMemory() throws {
        let folder = try DatasetFiles.folder("small-disk")
        guard getuid() == 0, (try? Repository.run("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", folder]))?.status == 0 else {
            print("skipped: mounting a tmpfs needs root")
            return
        }
        defer { _ = try? Repository.run("/usr/bin/umount", [folder]) }
        let spec = try Self.dataset(.idx) // 13 images of 28×28: more than 64 KiB with the images' page
        var large = spec
        large.channels = 3
        large.imageSize = 64
        let cache = DecodedCache(folder: folder)
        let (dataset, outcome) = try DatasetLoader.load(large, cache: cache)
        guard case .inMemory(let reason) = outcome else { Issue.record("\(outcome as Any)"); return }
        #expect(reason.contains("No space left on device"), "\(reason)")
        #expect(Self.same(dataset, try DatasetLoader.load(large).dataset))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasSuffix(".lock") }.isEmpty)
    }
}
