import ArgumentParser
import GenLabReport

/// `genlab inspect FILE`: what a run file holds.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Summarise a run file: status, configuration, history, networks, latents and samples."
    )

    @Argument(help: "A run file (run.h5).")
    var file: String

    func run() throws {
        for line in try RunInspection.lines(of: file) { print(line) }
    }
}
