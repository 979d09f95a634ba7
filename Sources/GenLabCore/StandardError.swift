import Glibc

/// Messages for the user on standard error, written with `write(2)` so that a standard error
/// that cannot be written (`2>/dev/full`, a closed pipe) loses the message but never stops the
/// process (Foundation's `FileHandle.write` traps there).
public enum StandardError {
    /// Writes `line` and a newline to standard error, after flushing standard output (so the
    /// two stay in order on a terminal); a failure to write is ignored.
    public static func write(_ line: String) {
        fflush(stdout)
        let bytes = Array((line + "\n").utf8)
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(STDERR_FILENO, $0.baseAddress! + done, bytes.count - done) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            done += count
        }
    }
}
