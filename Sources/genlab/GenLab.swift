import ArgumentParser
import GenLabNN
import GenLabRunner

/// The `genlab` command line.
@main
struct GenLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "genlab",
        abstract: "Declarative experiment runner for generative image models (VAEs, GANs) on CPU.",
        version: GenLabVersion.current,
        subcommands: [Run.self, Validate.self, Plan.self, Inspect.self, Bench.self, Version.self]
    )

    /// Runs the command line with OpenBLAS on one thread (GenLab's default: the cores are
    /// used by running sweep points in parallel processes).
    static func main() {
        BLAS.setThreads(1)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}
