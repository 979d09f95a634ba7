import Glibc

/// Files GenLab creates in folders that others may share (a results folder, the cache): a
/// temporary name unique to its writer, created only if nothing is there, and never through
/// a symbolic link someone planted at a predictable name.
public enum PrivateFile {
    /// "<path>.<pid>.<random>.tmp": a temporary name beside `path` that no other writer of
    /// `path` (another process, or another thread of this one) uses.
    public static func temporaryName(beside path: String) -> String {
        "\(path).\(getpid()).\(String(UInt64.random(in: 0...UInt64.max), radix: 36)).tmp"
    }

    /// Whether `name` (a file name, no folder) is a temporary name `temporaryName(beside:)`
    /// gives for a file called `base`.
    public static func isTemporary(_ name: String, of base: String) -> Bool {
        name.hasPrefix(base + ".") && name.hasSuffix(".tmp")
    }

    /// Creates a new file at `path` for writing (mode 0644), failing (-1, `errno` EEXIST or
    /// ELOOP) when anything, a symbolic link included, is already there.
    public static func create(_ path: String) -> Int32 {
        open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
    }

    /// Opens `path` with `flags` (O_CREAT allowed, mode 0644) without following a symbolic
    /// link at `path` itself (-1 with `errno` ELOOP when there is one), and only when it is
    /// a regular file (-1 with `errno` EINVAL for a folder, FIFO, device or socket: opening a
    /// FIFO would block) and, to be written, has no other name (a hard link planted there).
    /// O_TRUNC truncates only once these checks have passed.
    public static func openRegular(_ path: String, _ flags: Int32) -> Int32 {
        let descriptor = open(path, flags & ~O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return -1 }
        var status = stat()
        let writes = flags & O_ACCMODE != O_RDONLY
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG, !writes || status.st_nlink <= 1 else {
            close(descriptor)
            errno = EINVAL
            return -1
        }
        // back to blocking reads and writes (O_NONBLOCK only kept the open itself from waiting)
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        if flags & O_TRUNC != 0 && ftruncate(descriptor, 0) != 0 {
            let code = errno
            close(descriptor)
            errno = code
            return -1
        }
        return descriptor
    }

    /// Why `path` cannot be read as a regular file without following a link or waiting (a
    /// symbolic link, FIFO, socket, device or folder), nil when it can or does not exist.
    public static func irregularity(_ path: String) -> String? {
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        switch status.st_mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFLNK: return "a symbolic link (GenLab does not follow links in a results folder)"
        case S_IFIFO: return "a FIFO, not a regular file"
        case S_IFDIR: return "a folder, not a file"
        case S_IFSOCK: return "a socket, not a regular file"
        default: return "a device, not a regular file"
        }
    }

    /// The message for `errno` after `openRegular` or `create` failed.
    public static func reason(_ code: Int32 = errno) -> String {
        switch code {
        case ELOOP: return "it is a symbolic link (GenLab does not follow links in a results folder)"
        case EINVAL: return "it is not a regular file of its own (a folder, FIFO, device, or a file with another name)"
        case EEXIST: return "something is already there"
        default: return String(cString: strerror(code))
        }
    }
}

extension PrivateFile {
    /// The bytes of the regular file at `path` (not through a symbolic link, never waiting on
    /// a FIFO), or its first `prefix` bytes; nil when it cannot be read that way or holds
    /// more than `limit` bytes.
    public static func read(_ path: String, limit: Int, prefix: Int = Int.max) -> [UInt8]? {
        let descriptor = openRegular(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_size <= limit else { return nil }
        var bytes = [UInt8](repeating: 0, count: min(Int(status.st_size), prefix))
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, $0.count - done, off_t(done)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            done += count
        }
        return bytes
    }
}
