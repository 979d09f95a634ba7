import Foundation
import Glibc

/// Running a program to its end and collecting what it prints, with `posix_spawn` and
/// `waitpid` rather than Foundation's `Process`. On Linux `Process` learns that a child
/// ended from SIGCHLD; a thread that blocks SIGCHLD (the test runner's do, and every child
/// inherits the mask of the thread that spawned it) leaves the signal pending, so
/// `waitUntilExit` waited for ever on a child that had ended, and a shell started with that
/// mask hung in its own `wait`. Here the parent waits with `waitpid`, and the child starts
/// with no signal blocked and every disposition at its default.
public enum ChildProcess {
    /// Runs `executable` (found on PATH, through `/usr/bin/env`) with `arguments`, standard
    /// input from /dev/null; its exit status (128 + the signal when one ended it; 127 when it
    /// is not found or cannot start) and its standard output and error together.
    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later; Swift's Glibc does
    /// not export it), found at run time.
    private static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map { unsafeBitCast($0, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self) }
    }()

    /// Nothing else of this process goes to the child: not another child's pipe (whose reader
    /// would wait for this child too), not an open file's lock (HDF5 locks the files it opens;
    /// a child holding the descriptor would keep the lock until it ends).
    private static func closeTheRest(_ actions: inout posix_spawn_file_actions_t) {
        _ = closeFrom?(&actions, 3)
    }

    public static func run(_ executable: String, _ arguments: [String]) -> (status: Int32, output: String) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return (127, "cannot create a pipe: \(String(cString: strerror(errno)))") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, ends[1], STDOUT_FILENO)
        posix_spawn_file_actions_adddup2(&actions, ends[1], STDERR_FILENO)
        posix_spawn_file_actions_addclose(&actions, ends[0])
        posix_spawn_file_actions_addclose(&actions, ends[1])
        closeTheRest(&actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = (["/usr/bin/env", executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let started = posix_spawn(&child, "/usr/bin/env", &actions, &attributes, argv, environ)
        close(ends[1])
        defer { close(ends[0]) }
        guard started == 0 else { return (127, "cannot start \(executable): \(String(cString: strerror(started)))") }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(ends[0], &buffer, buffer.count)
            if count > 0 { output += buffer[0..<count] } else if count == 0 || errno != EINTR { break }
        }
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        return (signal == 0 ? (status >> 8) & 0xff : 128 + signal, String(decoding: output, as: UTF8.self))
    }
}
