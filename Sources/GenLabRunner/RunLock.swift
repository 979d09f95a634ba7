import Foundation
import Glibc

/// An exclusive lock on a run's folder (`flock` on `run.lock`), so that two processes never
/// train the same point into the same run file. The kernel drops it when the process ends,
/// however it ends, so a killed run never leaves a stale lock.
public final class RunLock {
    private let descriptor: Int32

    /// Takes the lock of `folder`, or throws if another process holds it.
    public init(folder: String) throws(RunError) {
        let path = "\(folder)/run.lock"
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw RunError(.io, "cannot create the lock file: \(String(cString: strerror(errno)))", path: path)
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw RunError(.locked, "another genlab process is training this point (it holds the lock)", path: path)
        }
    }

    deinit { close(descriptor) }

    /// Whether a live process holds the lock of the run file at `runFile` (a run whose file
    /// says "running" but whose lock is free was killed).
    public static func isHeld(runFile: String) -> Bool {
        let path = "\((runFile as NSString).deletingLastPathComponent)/run.lock"
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_SH | LOCK_NB) == 0 else { return errno == EWOULDBLOCK }
        flock(descriptor, LOCK_UN)
        return false
    }
}
