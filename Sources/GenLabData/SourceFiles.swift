import GenLabCore
import Glibc

/// What identifies the files a dataset is decoded from, for the decoded cache's keys.
enum SourceFiles {
    /// `path` with every symbolic link resolved (so that two names of one folder share a cache
    /// entry); `path` itself when it cannot be resolved.
    static func canonical(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The number of `paths` and a hash of every one's name below `folder`, size and
    /// modification time: a file added, removed, renamed or touched changes it. (Each folder
    /// is opened once and its files looked up in it: 200,000 files in about a third of a
    /// second.)
    static func fingerprint(_ paths: [String], below folder: String) throws(DataError) -> String {
        var hash = FNV1a()
        var parent: (path: Substring, descriptor: Int32)?
        defer { if let parent { close(parent.descriptor) } }
        for var path in paths {
            let slash = path.lastIndex(of: "/") ?? path.startIndex
            let name = slash == path.startIndex ? path : String(path[path.index(after: slash)...])
            if parent?.path != path[..<slash] {
                if let parent { close(parent.descriptor) }
                let directory = slash == path.startIndex ? "." : String(path[..<slash])
                parent = (path[..<slash], open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC))
            }
            var status = stat()
            guard let parent, parent.descriptor >= 0, fstatat(parent.descriptor, name, &status, 0) == 0 else { throw DataError.unreadable(path) }
            let below = path.hasPrefix(folder) ? folder.utf8.count : 0
            path.withUTF8 { hash.add(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: $0[below...]))) }
            hash.add(bytesOf: UInt8(0))
            hash.add(bytesOf: Int64(status.st_size))
            hash.add(bytesOf: Int64(status.st_mtim.tv_sec))
            hash.add(bytesOf: Int64(status.st_mtim.tv_nsec))
        }
        return "\(paths.count) \(hash.hex)"
    }

    /// The name of a cache entry: `dataset`, `detail` (the image shape or size) and a hash of
    /// the canonical folder.
    static func entryName(_ dataset: String, _ detail: String, folder: String) -> String {
        var hash = FNV1a()
        hash.add(folder)
        return "\(dataset)-\(detail)-\(hash.hex)"
    }
}
