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

    /// The cache of this process's environment: nil when `GENLAB_DATASET_CACHE` is `off` (every
    /// process then decodes its datasets into its own memory, as GenLab did before the cache).
    public static var configured: DecodedCache? {
        ProcessInfo.processInfo.environment["GENLAB_DATASET_CACHE"] == "off" ? nil : DecodedCache()
    }

    /// A source of images the cache can hold.
    public struct Source {
        /// The entry's name: the dataset, the image shape and a hash of the source's place.
        public var name: String
        /// The folder the images are read from (its canonical path).
        public var folder: String
        /// Everything else the images depend on (the files' fingerprint, the size, …).
        public var details: String
        /// What the entry's header holds: the folder, a newline, the details.
        public var key: String { "\(folder)\n\(details)" }
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
    /// missing, of another key, or damaged. `waiting` is called before this process waits for
    /// another one's build of the entry.
    public func dataset(_ source: Source, waiting: () -> Void = {}) throws(DataError) -> (dataset: Dataset, outcome: Outcome) {
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
        if flock(lock, LOCK_EX | LOCK_NB) != 0 {
            waiting()
            while flock(lock, LOCK_EX) != 0 && errno == EINTR {}
        }
        // built by another process while this one waited
        if let file = try? RecordFile(path: path, key: source.key) { return (file.dataset, .read) }
        removeTemporaries(of: "\(source.name).records")
        removeOrphans()
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

    /// An entry of the cache as `genlab cache list` shows it.
    public struct Entry: Sendable {
        /// The entry's file.
        public var path: String
        public var bytes: Int
        /// When it was built.
        public var modified: Date
        /// Its header's key and images, nil when the file is damaged.
        public var key: String?
        public var imageShape: [Int]?
        public var images: Int?
        /// Why it cannot be read (it is rebuilt on next use), nil when it can.
        public var problem: String?
    }

    /// The entries, by name.
    public func entries() -> [Entry] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        return names.filter { $0.hasSuffix(".records") }.sorted().map { name in
            let path = "\(folder)/\(name)"
            var status = stat()
            let found = lstat(path, &status) == 0
            var entry = Entry(path: path, bytes: found ? Int(status.st_size) : 0,
                              modified: Date(timeIntervalSince1970: found ? Double(status.st_mtim.tv_sec) : 0))
            do throws(DataError) {
                let file = try RecordFile(path: path)
                (entry.key, entry.imageShape, entry.images) = (file.key, file.imageShape, file.trainCount + file.testCount)
            } catch {
                entry.problem = error.message
            }
            return entry
        }
    }

    /// Removes every entry not being built now and the temporary files of builds that were
    /// stopped; returns the entries removed and the names skipped because a build of theirs
    /// runs. A process that mapped an entry keeps reading its images. The entries' lock files
    /// (empty) stay: removing one while another process waits on it would let two builds of
    /// one entry run at once.
    public func clear() throws(DataError) -> (removed: [Entry], building: [String]) {
        var removed: [Entry] = [], building: [String] = []
        let entries = Dictionary(entries().map { (($0.path as NSString).lastPathComponent, $0) }, uniquingKeysWith: { a, _ in a })
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let locked = names.filter { $0.hasSuffix(".records.lock") }.map { String($0.dropLast(".lock".count)) }
        for name in Set(entries.keys).union(locked).sorted() {
            let path = "\(folder)/\(name)"
            let lock = PrivateFile.openRegular(path + ".lock", O_RDWR | O_CREAT)
            guard lock >= 0 else { throw DataError(.unwritable, "cannot open the entry's lock: \(String(cString: strerror(errno)))", path: path + ".lock") }
            defer { close(lock) }
            guard flock(lock, LOCK_EX | LOCK_NB) == 0 else {
                building.append(path)
                continue
            }
            removeTemporaries(of: name)
            guard let entry = entries[name] else { continue }
            guard unlink(path) == 0 || errno == ENOENT else {
                throw DataError(.unwritable, "cannot remove the entry: \(String(cString: strerror(errno)))", path: path)
            }
            removed.append(entry)
        }
        return (removed, building)
    }

    /// Removes the entries whose source folder no longer exists (a temporary dataset's), when
    /// no build of theirs runs.
    private func removeOrphans() {
        for entry in entries() {
            guard let folder = entry.key?.split(separator: "\n", maxSplits: 1).first, access(String(folder), F_OK) != 0, errno == ENOENT else { continue }
            let lock = PrivateFile.openRegular(entry.path + ".lock", O_RDWR | O_CREAT)
            guard lock >= 0 else { continue }
            if flock(lock, LOCK_EX | LOCK_NB) == 0 {
                unlink(entry.path)
                unlink(entry.path + ".lock")
            }
            close(lock)
        }
    }

    /// Removes the temporary files of builds of `base` that stopped before renaming theirs
    /// (called under the entry's lock: no build of it is running).
    private func removeTemporaries(of base: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where PrivateFile.isTemporary(name, of: base) { unlink("\(folder)/\(name)") }
    }
}
