import Foundation
import GenLabCore
import Glibc

/// The decoded-dataset cache: one record file per source (a dataset folder read with one
/// resize, crop and channel count), in `<cache folder>/datasets`, built once and mapped by
/// every process that trains on it.
///
/// An entry is `<name>.records`, whose header holds the key of what it was decoded from (the
/// source and its files' sizes and modification times); a source that changed no longer
/// matches and is decoded again into the same name. A build runs under `<name>.lock` (so two
/// processes never build one entry twice: the second waits and maps the first one's), writes
/// a temporary file beside the entry, flushes it and renames it into place, so a build killed
/// at any moment leaves no entry that a later run would read (its temporary file is removed by
/// the next build). A process that mapped an entry keeps its images when the entry is rebuilt
/// or cleared (the old file lives on until it is unmapped).
public struct DecodedCache: Sendable {
    /// The folder holding the entries.
    public let folder: String

    /// The cache in `CacheFolder.path`'s `datasets` folder, or in `folder`.
    public init(folder: String = CacheFolder.path + "/datasets") {
        self.folder = folder
    }

    /// A source of images the cache can hold.
    public struct Source {
        /// The entry's name: the dataset, the image shape and a hash of the source's place.
        public var name: String
        /// Everything the images depend on, to be found again in the entry's header.
        public var key: String
        /// Decodes the images from the source into the writer, and finishes it.
        public var build: (RecordFileWriter) throws(DataError) -> Void
        /// The images decoded into memory, for when the entry cannot be written.
        public var decode: () throws(DataError) -> Dataset
    }

    /// What happened to the entry: read as it was, built (and why), or not written (and why:
    /// the dataset was then decoded into memory).
    public enum Outcome: Equatable, Sendable {
        case read
        case built(because: String?)
        case inMemory(because: String)
    }

    /// The dataset of `source`, mapped from its entry, which is built first when it is
    /// missing, of another key, or damaged.
    public func dataset(_ source: Source) throws(DataError) -> (dataset: Dataset, outcome: Outcome) {
        let path = "\(folder)/\(source.name).records"
        var stale: String?
        do throws(DataError) { return (try RecordFile(path: path, key: source.key).dataset, .read) } catch {
            if error.reason != .missing { stale = error.message }
        }
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            return (try source.decode(), .inMemory(because: "cannot create the cache folder \(folder): \(error.localizedDescription)"))
        }
        let lock = PrivateFile.openRegular("\(path).lock", O_RDWR | O_CREAT)
        guard lock >= 0 else {
            return (try source.decode(), .inMemory(because: "cannot open \(path).lock: \(String(cString: strerror(errno)))"))
        }
        defer { close(lock) }
        while flock(lock, LOCK_EX) != 0 && errno == EINTR {}
        // built by another process while this one waited
        if let file = try? RecordFile(path: path, key: source.key) { return (file.dataset, .read) }
        removeTemporaries(of: "\(source.name).records")
        let temporary = PrivateFile.temporaryName(beside: path)
        do throws(DataError) {
            try source.build(try RecordFileWriter(creating: temporary, key: source.key))
            guard rename(temporary, path) == 0 else {
                throw DataError(.unwritable, "cannot rename the new record file into place: \(String(cString: strerror(errno)))", path: path)
            }
            do throws(DurableWrite.Failure) { try DurableWrite.synchronize(folder) } catch {
                throw DataError(.unwritable, error.message, path: error.path)
            }
        } catch {
            unlink(temporary)
            guard error.reason == .unwritable else { throw error }
            return (try source.decode(), .inMemory(because: "\(error.path): \(error.message)"))
        }
        return (try RecordFile(path: path, key: source.key).dataset, .built(because: stale))
    }

    /// Removes the temporary files of builds of `base` that stopped before renaming theirs
    /// (called under the entry's lock: no build of it is running).
    private func removeTemporaries(of base: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where PrivateFile.isTemporary(name, of: base) { unlink("\(folder)/\(name)") }
    }
}
