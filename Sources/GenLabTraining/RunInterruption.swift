import Glibc

/// Ctrl-C (SIGINT) and SIGTERM ask the running point to stop after its current step; the
/// runner then writes a checkpoint with status "interrupted".
public enum RunInterruption {
    /// Set by the signal handler, read by the training loop.
    nonisolated(unsafe) static var requested: sig_atomic_t = 0

    /// Whether a stop was asked for.
    public static var isRequested: Bool { requested != 0 }

    /// Installs the handlers for SIGINT and SIGTERM, and unblocks both (a parent that
    /// blocked them, as some launchers do, would otherwise keep them pending).
    public static func install() {
        signal(SIGINT) { _ in RunInterruption.requested = 1 }
        signal(SIGTERM) { _ in RunInterruption.requested = 1 }
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Asks for a stop (what the signal handler does; also for tests).
    public static func request() { requested = 1 }

    /// Clears a stop request.
    public static func reset() { requested = 0 }
}
