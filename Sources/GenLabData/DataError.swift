import GenLabCore
import Glibc

/// A dataset that cannot be read, or an image that cannot be written: which file (or
/// folder), why, in words and as a reason.
public typealias DataError = FileError<DatasetProblem>

/// What is wrong with a dataset.
public enum DatasetProblem: Equatable, Sendable {
    /// A file, folder, class or image the dataset needs is not there.
    case missing
    /// The system refuses to read it (permissions, I/O error).
    case unreadable
    /// It is there but damaged: truncated, undecodable, labels out of range.
    case corrupt
    /// It announces more data than GenLab reads.
    case tooLarge
    /// It is readable but does not match the experiment (channels, sizes, classes).
    case mismatch
    /// An image GenLab writes (an analysis picture) cannot be written.
    case unwritable
}

extension DataError {
    /// `path` (a file, or with `folder` a folder) could not be read: the system's reason
    /// (permission denied, …), asked with access(2) after the failed read.
    static func unreadable(_ path: String, folder: Bool = false) -> DataError {
        let reason = access(path, folder ? R_OK | X_OK : R_OK) == 0 ? EIO : errno
        return DataError(.unreadable, "cannot read the \(folder ? "class folder" : "file"): \(String(cString: strerror(reason)))", path: path)
    }
}
