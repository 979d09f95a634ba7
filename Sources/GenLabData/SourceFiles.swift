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
    /// modification time: a file added, removed, renamed or touched changes it.
    static func fingerprint(_ paths: [String], below folder: String) throws(DataError) -> String {
        var hash = FNV1a()
        for path in paths {
            var status = stat()
            guard stat(path, &status) == 0 else { throw DataError.unreadable(path) }
            let name = path.hasPrefix(folder) ? String(path.dropFirst(folder.count)) : path
            hash.add("\(name)\0\(status.st_size)\0\(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec)\n")
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
