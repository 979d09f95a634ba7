import Glibc

/// Appending lines to logs and records.
public enum LineAppend {
    /// Appends `line` and a newline to the file at `path` (created, mode 0644, when missing) in
    /// one `write`, so lines of concurrent writers do not interleave; false when it cannot
    /// (or when `path` is a symbolic link, FIFO or other special file: never written through).
    @discardableResult
    public static func append(_ line: String, to path: String) -> Bool {
        let descriptor = PrivateFile.openRegular(path, O_WRONLY | O_CREAT | O_APPEND)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        let bytes = Array((line + "\n").utf8)
        return bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, bytes.count) } == bytes.count
    }
}
