import Glibc

/// A dataset that cannot be read: which file (or folder) and why.
public struct DataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file or folder concerned.
    public var path: String
    public var message: String

    public init(_ message: String, path: String) {
        self.path = path
        self.message = message
    }

    /// "path: message"
    public var description: String { "\(path): \(message)" }

    /// `path` (a file, or with `folder` a folder) could not be read: the system's reason
    /// (permission denied, …), asked with access(2) after the failed read.
    static func unreadable(_ path: String, folder: Bool = false) -> DataError {
        let reason = access(path, folder ? R_OK | X_OK : R_OK) == 0 ? EIO : errno
        return DataError("cannot read the \(folder ? "class folder" : "file"): \(String(cString: strerror(reason)))", path: path)
    }
}
