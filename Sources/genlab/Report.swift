import ArgumentParser
import Foundation
import GenLabAnalysis
import GenLabReport
import GenLabResults
import GenLabSweeps
import GenLabTraining

/// `genlab report FILE_OR_RESULTS_DIR`: a sweep's static, self-contained HTML page.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a sweep's report: one self-contained HTML page (no network) with the comparison table, the figures, and each point's configuration, losses, samples and analyses.",
        discussion: """
        Given an experiment file (with the --set, --epochs and --steps of the run), its points \
        are looked up in --results; given a results folder, the sweeps written there. The page \
        is <out>/index.html; --out defaults to report/ in the sweep's results folder.
        """
    )

    @OptionGroup var experiment: ExperimentOptions

    @Option(help: "The results folder (for an experiment file).")
    var results = "results"

    @Option(help: "The folder to write index.html into.")
    var out: String?

    func run() throws {
        let groups = try SweepGroup.find(experiment.selection, results: results)
        guard let first = groups.first else {
            throw RunError(.comparison, "no sweeps or runs here", path: experiment.file)
        }
        let report = SweepReport(sweeps: groups.map { ($0.title, SweepComparison(keys: $0.keys, points: $0.points, folder: $0.folder)) })
        let folder = out ?? (groups.count > 1 ? experiment.file : first.folder) + "/report"
        let path = try report.write(to: folder)
        print("report: \(path) (\(groups.count) sweep\(groups.count == 1 ? "" : "s"), \(groups.reduce(0) { $0 + $1.points.count }) points)")
    }
}
