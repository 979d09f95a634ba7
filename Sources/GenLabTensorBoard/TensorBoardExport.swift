import Foundation
import GenLabCore
import GenLabData
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabTensor

/// `genlab export tensorboard`: the event files `record.tensorboard` would have written, for
/// run files that have none (older runs, `record.tensorboard: false`), from their history,
/// samples and analyses, beside each run file in `tensorboard/` (see `TensorBoardRun`).
public enum TensorBoardExport {
    /// What an export did with one run file.
    public enum Outcome: Equatable, Sendable {
        /// The event file written, and the scalars and images in it.
        case written(path: String, scalars: Int, images: Int)
        /// Its `tensorboard/` folder already holds event files: left as it is.
        case skipped(String)
    }

    /// The run files below `folder` (`run.h5`, symbolic links not followed), sorted.
    public static func runFiles(in folder: String) -> [String] {
        guard let walker = FileManager.default.enumerator(at: URL(fileURLWithPath: folder), includingPropertiesForKeys: [.isRegularFileKey],
                                                          options: [.skipsHiddenFiles]) else { return [] }
        var found: [String] = []
        for case let url as URL in walker where url.lastPathComponent == "run.h5" {
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { found.append(url.path) }
        }
        return found.sorted()
    }

    /// The swept values of the point `runID` from the sweep definitions in `folder` (the
    /// experiment's results folder); nil when none lists it (a damaged one is passed over).
    static func hparams(runID: String, in folder: String) -> SweepHParams? {
        for path in SweepManifest.find(in: folder) {
            if let manifest = try? SweepManifest.read(path: path), let found = SweepHParams(manifest: manifest, runID: runID) { return found }
        }
        return nil
    }

    /// Writes the event file of the run file at `path` into `tensorboard/` beside it.
    public static func export(runFile path: String) throws(EventFileError) -> Outcome {
        let contents: RunContents, inputs: StoredArray?
        do {
            contents = try RunFile.read(path: path)
            inputs = try RunFile.readSampleInput(path: path, name: "images")
        } catch {
            throw EventFileError(.content, "cannot read the run file: \(error.message)", path: path)
        }
        let pointFolder = (path as NSString).deletingLastPathComponent
        let folder = EventFolder(path: "\(pointFolder)/tensorboard")
        guard !folder.hasEvents else { return .skipped("\(folder.path) already holds event files (remove them to export again)") }
        // the holdout images of reconstructions, back on the pixel scale
        var originals: StoredArray?
        if let inputs, let values = inputs.floats, let experiment = try? Experiment.parse(contents.metadata.configYAML, file: path),
           inputs.shape.count == 4, inputs.shape[1] == experiment.dataset.imageShape[0],
           let tensor = try? Tensor(shape: inputs.shape, values: values) {
            let transform = PixelTransform(experiment.dataset.normalization, channels: experiment.dataset.imageShape[0])
            originals = StoredArray(name: "images", shape: inputs.shape, floats: transform.pixelScale(tensor))
        }
        let started = ISO8601DateFormatter().date(from: contents.metadata.startedAt)?.timeIntervalSince1970 ?? Date().timeIntervalSince1970
        let run = TensorBoardRun(folder: folder.path, runFile: path, configYAML: contents.metadata.configYAML,
                                 hparams: hparams(runID: contents.metadata.runID, in: (pointFolder as NSString).deletingLastPathComponent),
                                 clock: { started })
        try run.export(contents, originals: originals)
        return .written(path: run.written.path, scalars: run.written.scalars, images: run.written.images)
    }
}
