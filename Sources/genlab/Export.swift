import ArgumentParser
import GenLabTensorBoard

/// `genlab export`: run files in another tool's format.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write run files in another tool's format.",
        subcommands: [ExportTensorBoard.self]
    )
}

/// `genlab export tensorboard RESULTS_DIR`: event files from the run files' histories.
struct ExportTensorBoard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tensorboard",
        abstract: "Write TensorBoard event files (tensorboard/ beside each run file) for run files that have none, as record.tensorboard writes them while training.",
        discussion: "Every run file below the folder: its configuration, its history's losses as scalars, its recorded samples as images, and, for a completed point of a sweep, its best losses, analysis numbers and swept values for the HParams tab. A run whose tensorboard/ folder already holds event files is left as it is. Then: tensorboard --logdir RESULTS_DIR."
    )

    @Argument(help: "A results folder (results/<experiment>, or results/).")
    var folder: String

    func run() throws {
        let files = TensorBoardExport.runFiles(in: folder)
        guard !files.isEmpty else { throw ValidationError("no run files (run.h5) below \(folder)") }
        for file in files {
            switch try TensorBoardExport.export(runFile: file) {
            case .written(let path, let scalars, let images): print("\(path): \(scalars) scalars, \(images) images")
            case .skipped(let why): print("skipped: \(why)")
            }
        }
    }
}
