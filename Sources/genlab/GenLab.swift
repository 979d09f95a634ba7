import ArgumentParser
import Foundation
import GenLabAnalysis
import GenLabCore
import GenLabNN
import GenLabReport
import GenLabResults
import GenLabSweeps
import GenLabTraining
import Glibc

/// The `genlab` command line.
@main
struct GenLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "genlab",
        abstract: "Declarative experiment runner for generative image models (VAEs, GANs) on CPU.",
        version: GenLabVersion.current,
        subcommands: [Run.self, Status.self, Compare.self, Report.self, Analyze.self, Classifier.self, Cache.self, Validate.self, Plan.self, Inspect.self, Export.self, Bench.self, Version.self, Worker.self]
    )

    /// Runs the command line on the best OpenBLAS kernels for this CPU (re-executing itself
    /// once if OpenBLAS's own choice was a fallback) with matrix products on one thread until
    /// a command says otherwise (`run` and `bench` set their threads).
    static func main() {
        BLASKernel.reexecuteWithBestKernelIfNeeded()
        // a write past the file-size limit then fails with EFBIG, reported like a full disk
        signal(SIGXFSZ, SIG_IGN)
        BLAS.setThreads(1)
        do {
            var command = try parseAsRoot()
            try command.run()
            try checkOutputWritten()
        } catch let error as any GenLabError {
            printError(error.description)
            Glibc.exit(1)
        } catch {
            exit(withError: error)
        }
    }

    /// Flushes standard output and fails when it could not be written (`> /dev/full`, a
    /// closed pipe), so no command reports success with its output lost.
    static func checkOutputWritten() throws {
        guard fflush(stdout) != 0 || ferror(stdout) != 0 else { return }
        printError("cannot write the output: \(String(cString: strerror(errno == 0 ? EIO : errno)))")
        throw ExitCode(1)
    }
}

/// Writes a line to standard error, after whatever standard output holds. Every failure a
/// command does not handle itself reaches `GenLab.main` and is printed there, once.
func printError(_ line: String) {
    StandardError.write(line)
}
