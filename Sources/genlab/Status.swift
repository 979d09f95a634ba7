import ArgumentParser
import Foundation
import GenLabAnalysis
import GenLabReport
import GenLabResults
import GenLabSpec
import GenLabSweeps
import GenLabTraining

/// `genlab status FILE_OR_RESULTS_DIR`: where each point of a sweep stands, from its files.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show each point of a sweep: run id, swept values, status (completed, running, interrupted, killed, failed, not started), progress and last losses, read from the run files alone.",
        discussion: """
        Given an experiment file (with the --set, --epochs and --steps of the run), its points \
        are looked up in --results. Given a results folder (results/<experiment>, or results/ \
        for every experiment), the sweeps written there (sweep-*.json) and any other run \
        folders are listed.
        """
    )

    @OptionGroup var experiment: ExperimentOptions

    @Option(help: "The results folder (for an experiment file).")
    var results = "results"

    func run() throws {
        let groups = try SweepGroup.find(experiment.selection, results: results)
        guard !groups.isEmpty else {
            print("\(experiment.file): no sweeps or runs here")
            return
        }
        for (n, group) in groups.enumerated() {
            if n > 0 { print("") }
            for line in group.statusLines() { print(line) }
        }
    }
}
