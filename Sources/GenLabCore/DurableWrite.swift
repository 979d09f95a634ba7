import Foundation
import Glibc

/// Writing bytes to disk with every failure reported with the operating system's reason
/// (no space left on device, file too large, permission denied), and flushed (fsync) so a
/// later rename publishes complete contents. Each module reports a `Failure` in its own
/// error type.
public enum DurableWrite {
    /// A file that could not be written: the file and the operating system's reason.
    public struct Failure: Error, Sendable {
        public var message: String
        public var path: String
    }

    /// Replaces the file at `path` with `bytes` atomically: written beside it under a name of
    /// this writer's own (`PrivateFile.temporaryName`), flushed, renamed into place and the
    /// folder flushed, so a reader (or a process killed meanwhile) sees the old or the new
    /// complete file, and two writers of one file never write into each other's temporary
    /// file; on failure the old file stays. A symbolic link at `path` is replaced, never
    /// written through.
    public static func replace(_ path: String, with bytes: [UInt8]) throws(Failure) {
        let temporary = PrivateFile.temporaryName(beside: path)
        do throws(Failure) {
            try write(bytes, to: temporary)
            guard rename(temporary, path) == 0 else {
                throw Failure(message: "cannot rename the new version into place: \(String(cString: strerror(errno)))", path: path)
            }
            try synchronize((path as NSString).deletingLastPathComponent)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Writes `bytes` to a new file at `path` (nothing may be there, not even a symbolic link)
    /// and flushes it to disk; on failure the partial file is removed.
    static func write(_ bytes: [UInt8], to path: String) throws(Failure) {
        let descriptor = PrivateFile.create(path)
        guard descriptor >= 0 else {
            throw Failure(message: "cannot create the file: \(PrivateFile.reason())", path: path)
        }
        var done = 0
        var error: Failure?
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
    public static func synchronize(_ path: String) throws(Failure) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("cannot open to flush to disk", path) }
        defer { Glibc.close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure("cannot flush to disk", path) }
    }

    private static func failure(_ what: String, _ path: String) -> Failure {
        Failure(message: "\(what) the file: \(String(cString: strerror(errno)))", path: path)
    }
}
