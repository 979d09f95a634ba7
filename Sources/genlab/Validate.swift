import ArgumentParser
import Foundation
import GenLabAnalysis
import GenLabModels
import GenLabReport
import GenLabResults
import GenLabSpec
import GenLabSweeps
import GenLabTraining
import Glibc

/// `genlab validate FILE…`: checks experiment files without training.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check experiment files: syntax, keys, values, sweeps, analyses, and that every network's shapes fit.",
        discussion: "Prints 'file: ok (N points)' for each good file and 'file:line:column: message' for each problem; exits 1 if any file has one."
    )

    @Argument(help: "Experiment files (YAML).")
    var files: [String]

    func run() throws {
        var failed = false
        for file in files {
            do {
                let points = try ExperimentValidation.check(file: file)
                for point in points { _ = try AnalysisRunner.declared(point.experiment.analysis, kind: point.experiment.model.kind, dataset: point.experiment.dataset) }
                print("\(file): ok (\(points.count) point\(points.count == 1 ? "" : "s"))")
            } catch {
                printError(error.description)
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}
