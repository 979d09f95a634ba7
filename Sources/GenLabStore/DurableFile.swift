import Foundation
import Glibc

/// Writing bytes to disk with every failure reported with the operating system's reason
/// (no space left on device, file too large, permission denied), and flushed (fsync) so a
/// later rename publishes complete contents.
public enum DurableFile {
    /// Replaces the file at `path` with `bytes` atomically: written beside it (`<path>.tmp`),
    /// flushed, renamed into place and the folder flushed, so a reader (or a process killed
    /// meanwhile) sees the old or the new complete file; on failure the old file stays.
    public static func replace(_ path: String, with bytes: [UInt8]) throws(HDF5Error) {
        let temporary = path + ".tmp"
        do throws(HDF5Error) {
            try write(bytes, to: temporary)
            guard rename(temporary, path) == 0 else {
                throw HDF5Error(.io, "cannot rename \(temporary) into place: \(String(cString: strerror(errno)))", path: path)
            }
            try synchronize((path as NSString).deletingLastPathComponent)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Writes `bytes` to a new file at `path` (replacing it) and flushes it to disk; on
    /// failure the partial file is removed.
    static func write(_ bytes: [UInt8], to path: String) throws(HDF5Error) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure("cannot create", path) }
        var done = 0
        var error: HDF5Error?
        while done < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + done, bytes.count - done) }
            if count < 0 {
                if errno == EINTR { continue }
                error = failure("cannot write", path)
                break
            }
            done += count
        }
        if error == nil, fsync(descriptor) != 0 { error = failure("cannot flush to disk", path) }
        if Glibc.close(descriptor) != 0, error == nil { error = failure("cannot close", path) }
        if let error {
            unlink(path)
            throw error
        }
    }

    /// Flushes the file or folder at `path` to disk.
    static func synchronize(_ path: String) throws(HDF5Error) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("cannot open to flush to disk", path) }
        defer { Glibc.close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure("cannot flush to disk", path) }
    }

    private static func failure(_ what: String, _ path: String) -> HDF5Error {
        HDF5Error(.io, "\(what) the file: \(String(cString: strerror(errno)))", path: path)
    }
}
