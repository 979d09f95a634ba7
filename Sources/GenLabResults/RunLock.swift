import Foundation
import Glibc
import GenLabCore

/// An exclusive lock on a run's folder (`flock` on `run.lock`), so that two processes never
/// train the same point into the same run file. The kernel drops it when the process ends,
/// however it ends, so a killed run never leaves a stale lock. The lock file holds the pid of
/// the process that holds it, for `genlab status`.
public final class RunLock {
    private let descriptor: Int32

    /// Takes the lock of `folder`, or throws if another process holds it.
    public init(folder: String) throws(RunError) {
        let path = "\(folder)/run.lock"
        descriptor = PrivateFile.openRegular(path, O_RDWR | O_CREAT)
        guard descriptor >= 0 else {
            throw RunError(.io, "cannot create the lock file: \(PrivateFile.reason())", path: path)
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = RunLock.recordedPID(descriptor)
            close(descriptor)
            throw RunError(.locked, "another genlab process\(holder.map { " (pid \($0))" } ?? "") is training this point (it holds the lock)", path: path)
        }
        let text = Array("\(getpid())\n".utf8)
        if ftruncate(descriptor, 0) == 0 { _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, text.count, 0) } }
    }

    deinit { close(descriptor) }

    /// The pid of the live process holding the lock in `folder`, nil when none does (a run
    /// whose file says "running" but whose lock is free was killed); 0 when it is held by a
    /// process that has not written its pid yet.
    public static func holder(folder: String) -> Int32? {
        let descriptor = PrivateFile.openRegular("\(folder)/run.lock", O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_SH | LOCK_NB) == 0 else { return errno == EWOULDBLOCK ? recordedPID(descriptor) ?? 0 : nil }
        flock(descriptor, LOCK_UN)
        return nil
    }

    /// Whether a live process holds the lock of the run file at `runFile`.
    public static func isHeld(runFile: String) -> Bool {
        holder(folder: (runFile as NSString).deletingLastPathComponent) != nil
    }

    private static func recordedPID(_ descriptor: Int32) -> Int32? {
        var bytes = [UInt8](repeating: 0, count: 32)
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, 32, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: bytes[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
