import ArgumentParser
import Foundation
import GenLabAnalysis
import GenLabReport
import GenLabResults
import GenLabSweeps
import GenLabTraining
import Glibc

/// `genlab compare FILE_OR_RESULTS_DIR`: the points of a sweep side by side, from their files.
struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare the points of a sweep: swept values, status, steps, epochs, time, the final and best value of every loss, and every number of their analyses.",
        discussion: """
        Given an experiment file (with the --set, --epochs and --steps of the run), its points \
        are looked up in --results; given a results folder, the sweeps written there. The \
        configuration every point shares is printed once, above the table. Columns: final.<loss> \
        (the last recorded value), best.<loss> (the smallest), <analysis>.<number>.
        """
    )

    @OptionGroup var experiment: ExperimentOptions

    @Option(help: "The results folder (for an experiment file).")
    var results = "results"

    @Option(help: "Order the rows by a column (numbers by value, missing last); add ':desc' to reverse, e.g. --sort metrics.elbo:desc.")
    var sort: String?

    @Option(name: .customLong("group-by"), help: "One row per value of a swept key: each number as mean ± std (count) over the other swept keys.")
    var groupBy: String?

    @Option(help: "table (fitted to the terminal), csv, json or markdown.")
    var format: ComparisonTable.Format = .table

    @Option(help: "Also write the figures (SVG) into this folder: each loss's curves, each final number against each swept key.")
    var plot: String?

    func run() throws {
        let groups = try SweepGroup.find(experiment.selection, results: results)
        guard !groups.isEmpty else {
            throw RunError(.comparison, "no sweeps or runs here", path: experiment.file)
        }
        if groups.count > 1 && [.csv, .json].contains(format) {
            throw RunError(.comparison, "holds \(groups.count) sweeps (\(groups.map(\.title).joined(separator: "; "))); --format \(format.rawValue) writes one: name its results folder or experiment file", path: experiment.file)
        }
        for (n, group) in groups.enumerated() {
            let comparison = SweepComparison(keys: group.keys, points: group.points, folder: group.folder)
            var table = try groupBy.map { try comparison.grouped(by: $0) } ?? comparison.table
            if let sort { table = try table.sorted(by: sort) }
            if n > 0 && [.table, .markdown].contains(format) { print("") }
            print(try ComparisonOutput.render(title: group.title, keys: group.keys, constant: comparison.constantConfiguration,
                                              table: table, format: format, width: Compare.terminalWidth), terminator: "")
            if let plot {
                let folder = groups.count > 1 ? "\(plot)/\(ComparisonOutput.folderName(group.title))" : plot
                let written = try comparison.writeFigures(to: folder)
                printError("compare: \(written.count) figures in \(folder)")
            }
        }
    }

    /// The terminal's width, else $COLUMNS, else 120.
    static var terminalWidth: Int {
        var size = winsize()
        if isatty(STDOUT_FILENO) != 0, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
        return Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 120
    }
}

extension ComparisonTable.Format: ExpressibleByArgument {}
