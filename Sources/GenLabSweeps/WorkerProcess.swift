import Foundation
import GenLabCore
import GenLabResults
import GenLabTraining
import Glibc

/// A worker: this same program, run as `genlab worker MANIFEST INDEX …` in its own process to
/// train one point, so that a crash, an out-of-memory kill or a NaN in one point cannot take
/// down another. Its output (standard output and error) is appended to the point's log; its
/// progress comes back on a pipe (`--progress-fd 3`).
final class WorkerProcess {
    let index: Int
    let pid: pid_t
    let started: Double
    /// The read end of the progress pipe (non-blocking), -1 once closed.
    private(set) var feed: Int32
    package let progress = WorkerProgress.Reader()

    /// How the process ended.
    enum Ending: Equatable {
        case exited(Int32)
        case signalled(Int32)
    }

    /// Starts `arguments` (after the program's path) with its output appended to `log`.
    init(index: Int, arguments: [String], log: String) throws(RunError) {
        self.index = index
        let output = PrivateFile.openRegular(log, O_WRONLY | O_CREAT | O_APPEND)
        guard output >= 0 else { throw RunError(.io, "cannot open the point's log: \(PrivateFile.reason())", path: log) }
        defer { close(output) }
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw RunError(.worker, "cannot create a pipe: \(String(cString: strerror(errno)))", path: log) }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        defer { close(ends[1]) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, output, STDOUT_FILENO)
        posix_spawn_file_actions_adddup2(&actions, output, STDERR_FILENO)
        posix_spawn_file_actions_adddup2(&actions, ends[1], 3)
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        let program = WorkerProcess.programPath
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, program, &actions, nil, argv, environ)
        guard status == 0 else {
            close(ends[0])
            throw RunError(.worker, "cannot start a worker process: \(String(cString: strerror(status)))", path: program)
        }
        pid = child
        feed = ends[0]
        _ = fcntl(feed, F_SETFL, fcntl(feed, F_GETFL) | O_NONBLOCK)
        started = Date().timeIntervalSince1970
    }

    /// This program's own executable.
    static var programPath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Reads what the worker has sent; closes the pipe at its end.
    func readProgress() {
        guard feed >= 0 else { return }
        if !progress.read(from: feed) {
            close(feed)
            feed = -1
        }
    }

    /// How the process ended, or nil while it runs.
    func poll() -> Ending? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return nil }
        readProgress()
        if feed >= 0 {
            close(feed)
            feed = -1
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
    }

    /// Asks the worker to checkpoint and stop.
    func stop() { kill(pid, SIGTERM) }
}
