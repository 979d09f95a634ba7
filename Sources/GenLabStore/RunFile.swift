import Foundation
import Glibc

/// Everything read back from a run file.
public struct RunContents: Sendable {
    public var formatVersion: Int64
    public var metadata: RunMetadata
    /// Nil when the run stopped before its first checkpoint.
    public var state: RunState?
    public var history: HistoryRows
    public var latents: [LatentRecord]
    public var samples: [SampleRecord]
    /// Whether the file has a /history group (every GenLab run file has one from its first
    /// commit; its absence means damage).
    public var hasHistory: Bool
}

/// How far a run is, read without its weights (`RunFile.readSummary`).
public struct RunSummary: Sendable {
    public var metadata: RunMetadata
    /// The last checkpoint's place; nil before the first.
    public var progress: RunProgress?
    public var history: HistoryRows
}

/// GenLab's HDF5 run file: one per sweep point (docs/reference/run-file.md gives the layout).
///
/// Every change is a *commit*: a complete new file is built in memory, with the new metadata
/// and state, the old history copied over and the new rows added; its bytes are written next
/// to the old file (`<path>.tmp`), flushed to disk and renamed over it. Latents and samples
/// are not rewritten: each record is its own small file in `run.records/`, written durably
/// once before the commit that links it (an HDF5 external link, which h5py follows), so a
/// commit costs the model's size and the history, not the length of the run. A commit whose
/// status is not `running` (completed, failed, interrupted) takes the records back in and
/// removes the folder: a run that stopped is one file again, to copy or send alone.
/// A process killed at any moment leaves either the previous or the new complete file,
/// and a write that fails (full disk, file-size limit) is an error that leaves the previous
/// file as it was: HDF5 itself never writes to disk.
public enum RunFile {
    public static let format = "genlab-run"
    /// The `format` attribute of a record file (see `recordsFolder`).
    public static let recordFormat = "genlab-run-record"
    /// 3: the networks described (`model_json`, `config_json`, `sweep_point_json`, and
    /// `/sample_inputs`); 2: latents keyed by step (`/latents/step_<n>`, attribute `epoch`); 1
    /// keyed them by epoch. A file is written as format 3 when its metadata has the
    /// description, else as 2 (an older run that a newer GenLab commits an analysis to).
    public static let formatVersion: Int64 = 3
    /// The attributes a file of format 3 must have.
    static let describedAttributes = ["model_json", "config_json", "sweep_point_json"]

    /// Writes a new complete version of the run file at `path`.
    ///
    /// - Parameters:
    ///   - state: the weights, buffers, optimizer and RNG state, and progress; nil keeps the
    ///     previous file's.
    ///   - newHistory: rows appended to the history.
    ///   - newLatents, newSamples: records added (an epoch or step already stored is replaced).
    ///   - sampleInputs: what the recorded samples are made from (`/sample_inputs/<name>`:
    ///     holdout images, noise, labels); nil keeps the previous file's.
    ///   - best: early stopping's best weights and buffers so far (`/best`, its step in the
    ///     progress); nil keeps the previous file's.
    public static func commit(path: String, metadata: RunMetadata, state: RunState?, newHistory: HistoryRows = HistoryRows(),
                              newLatents: [LatentRecord] = [], newSamples: [SampleRecord] = [],
                              sampleInputs: [StoredArray]? = nil, best: RunState? = nil) throws(HDF5Error) {
        let old: HDF5File? = FileManager.default.fileExists(atPath: path) ? try open(path) : nil
        // in memory: nothing is written at this name, which only labels its errors
        let file = try HDF5File(path: path + ".tmp", mode: .createInMemory)
        try writeMetadata(metadata, to: file)
        if let state {
            try writeState(state, to: file)
        } else if let old {
            for group in ["/weights", "/buffers", "/optimizer", "/rng", "/trainer", "/progress"] where old.exists(group) {
                try file.copy(group, from: old)
            }
        }
        try writeHistory(newHistory, to: file, previous: old)
        if let best {
            try writeNetworks(best, under: "/best", to: file)
            try file.setAttribute("step", best.progress.step, on: "/best")
        } else if let old, old.exists("/best") {
            try file.copy("/best", from: old)
        }
        // a running run links its records; a run that stops takes them in (one file again)
        let consolidate = metadata.status != .running
        try merge("/latents", "step_", newLatents.compactMap(\.step), into: file, from: old, consolidate: consolidate)
        for record in newLatents {
            guard let step = record.step else { throw HDF5Error(.invalidRecord, "latents to write need the step they were recorded at", path: path) }
            try place("latents", step: step, in: file, beside: path, inline: consolidate) { file throws(HDF5Error) in
                try writeLatents(record, step: step, to: file)
            }
        }
        try merge("/samples", "step_", newSamples.map(\.step), into: file, from: old, consolidate: consolidate)
        for record in newSamples {
            try place("samples", step: record.step, in: file, beside: path, inline: consolidate) { file throws(HDF5Error) in
                try writeArray(record.images, at: "/samples/step_\(record.step)", in: file)
            }
        }
        if let sampleInputs {
            try file.createGroup("/sample_inputs")
            for array in sampleInputs { try writeArray(array, at: "/sample_inputs/\(array.name)", in: file) }
        } else if let old, old.exists("/sample_inputs") {
            try file.copy("/sample_inputs", from: old)
        }
        // analyses stay until `commitAnalysis` replaces them (each says the step it saw)
        if let old, old.exists("/analysis") { try file.copy("/analysis", from: old) }
        try old?.close()
        let bytes = try file.image()
        try file.close()
        try DurableFile.replace(path, with: bytes)
        if consolidate { try? FileManager.default.removeItem(atPath: recordsFolder(path)) }
    }

    /// Opens an existing run file for reading, after checking that it is one.
    static func open(_ path: String) throws(HDF5Error) -> HDF5File {
        let file = try HDF5File(path: path, mode: .readOnly)
        guard let format = try file.stringAttribute("format"), format == RunFile.format else {
            throw HDF5Error(.notARun, "an HDF5 file, but not a GenLab run (no format=\"\(RunFile.format)\" attribute)", path: path)
        }
        guard let version = try file.intAttribute("format_version"), version >= 1 else {
            throw HDF5Error(.notARun, "a GenLab run without a valid format_version attribute (damaged?)", path: path)
        }
        guard version <= formatVersion else {
            throw HDF5Error(.notARun, "written by a newer GenLab (run format \(version)); this GenLab reads format \(formatVersion) and older", path: path)
        }
        return file
    }

    static func writeMetadata(_ m: RunMetadata, to file: HDF5File) throws(HDF5Error) {
        try file.setAttribute("format", format)
        let described = [m.modelJSON, m.configJSON, m.sweepPointJSON].map { $0 != nil }
        guard described.allSatisfy({ $0 == described[0] }) else {
            throw HDF5Error(.invalidRecord, "the model description, the configuration and the sweep point as JSON are written together", path: file.path)
        }
        try file.setAttribute("format_version", described[0] ? formatVersion : 2)
        try file.setAttribute("experiment", m.experiment)
        try file.setAttribute("run_id", m.runID)
        try file.setAttribute("status", m.status.rawValue)
        try file.setAttribute("config_yaml", m.configYAML)
        try file.setAttribute("sweep_point", m.sweepPoint)
        try file.setAttribute("genlab_version", m.genlabVersion)
        try file.setAttribute("started_at", m.startedAt)
        if let finished = m.finishedAt { try file.setAttribute("finished_at", finished) }
        if let failure = m.failure { try file.setAttribute("failure", failure) }
        if let total = m.totalSteps { try file.setAttribute("total_steps", total) }
        if let analysis = m.analysisYAML { try file.setAttribute("analysis_yaml", analysis) }
        if let images = m.validationImages { try file.setAttribute("validation_images", images) }
        if let stopped = m.stopped { try file.setAttribute("stopped", stopped) }
        if let precision = m.precision { try file.setAttribute("precision", precision) }
        for (name, value) in zip(describedAttributes, [m.modelJSON, m.configJSON, m.sweepPointJSON]) {
            if let value { try file.setAttribute(name, value) }
        }
    }

    static func writeArray(_ array: StoredArray, at arrayPath: String, in file: HDF5File, compressed: Bool = true) throws(HDF5Error) {
        switch array.values {
        case .float32(let v): try file.write(v, shape: array.shape, at: arrayPath, compressed: compressed)
        case .int64(let v): try file.write(v, shape: array.shape, at: arrayPath, compressed: compressed)
        }
    }

    /// The weights, buffers and optimizer arrays of `state`, per network, below `root` ("" or
    /// "/best").
    private static func writeNetworks(_ state: RunState, under root: String, to file: HDF5File) throws(HDF5Error) {
        if !root.isEmpty { try file.createGroup(root) }
        for (group, networks) in [("weights", state.weights), ("buffers", state.buffers), ("optimizer", state.optimizers)] where !networks.isEmpty || root.isEmpty {
            try file.createGroup("\(root)/\(group)")
            for (network, arrays) in networks {
                try file.createGroup("\(root)/\(group)/\(network)")
                // the state is rewritten by every checkpoint: stored as it is, not deflated
                for array in arrays { try writeArray(array, at: "\(root)/\(group)/\(network)/\(array.name)", in: file, compressed: false) }
            }
        }
    }

    private static func writeState(_ state: RunState, to file: HDF5File) throws(HDF5Error) {
        try writeNetworks(state, under: "", to: file)
        try file.createGroup("/rng")
        for (name, words) in state.rng { try file.write(words, shape: [words.count], at: "/rng/\(name)") }
        try file.createGroup("/trainer")
        for (name, values) in state.trainer { try file.write(values, shape: [values.count], at: "/trainer/\(name)") }
        try file.createGroup("/progress")
        try file.setAttribute("step", state.progress.step, on: "/progress")
        try file.setAttribute("epoch", state.progress.epoch, on: "/progress")
        try file.setAttribute("batch", state.progress.batch, on: "/progress")
    }

    private static func writeHistory(_ rows: HistoryRows, to file: HDF5File, previous: HDF5File?) throws(HDF5Error) {
        if let previous, previous.exists("/history") {
            try file.copy("/history", from: previous)
        } else {
            try file.createGroup("/history")
            try file.createAppendable(Int64.self, at: "/history/step")
            try file.createAppendable(Int64.self, at: "/history/epoch")
        }
        guard rows.count > 0 else { return }
        let existing = Set(try file.children("/history")).subtracting(["step", "epoch"])
        let stored = try file.shape(of: "/history/step")[0]
        for name in rows.columns.keys where !existing.contains(name) {
            guard stored == 0 else {
                throw HDF5Error(.invalidRecord, "history column '\(name)' is new but the history already has \(stored) rows without it", path: file.path)
            }
            try file.createAppendable(Float.self, at: "/history/\(name)")
        }
        let names = existing.union(rows.columns.keys)
        for name in names where rows.columns[name]?.count != rows.count {
            throw HDF5Error(.invalidRecord, "history column '\(name)' has \(rows.columns[name]?.count ?? 0) new values for \(rows.count) rows", path: file.path)
        }
        try file.append(rows.steps, to: "/history/step")
        try file.append(rows.epochs, to: "/history/epoch")
        for name in names.sorted() { try file.append(rows.columns[name] ?? [], to: "/history/\(name)") }
    }

    /// Copies the members of `group` from the old file except those about to be replaced:
    /// links to records stay links, unless `consolidate` copies what they point to.
    private static func merge(_ group: String, _ prefix: String, _ replaced: [Int], into file: HDF5File, from old: HDF5File?,
                              consolidate: Bool) throws(HDF5Error) {
        try file.createGroup(group)
        guard let old, old.exists(group) else { return }
        let skip = Set(replaced.map { "\(prefix)\($0)" })
        for child in try old.children(group) where !skip.contains(child) {
            let member = "\(group)/\(child)"
            if !consolidate, let target = try old.externalTarget(member) {
                try file.linkExternal(member, to: target)
            } else {
                try file.copy(member, from: old)
            }
        }
    }

    /// Writes the record `/<kind>/step_<step>` with `body`: into `file` itself when `inline`,
    /// else into a record file that `file` links to.
    private static func place(_ kind: String, step: Int, in file: HDF5File, beside path: String, inline: Bool,
                              _ body: (HDF5File) throws(HDF5Error) -> Void) throws(HDF5Error) {
        if inline { return try body(file) }
        try file.linkExternal("/\(kind)/step_\(step)", to: try writeRecord(beside: path, kind, step: step, body))
    }

    /// The folder of a run file's records: `run.records` beside `run.h5`.
    public static func recordsFolder(_ path: String) -> String {
        ((path as NSString).deletingPathExtension) + ".records"
    }

    /// Writes one record (`<kind>_step_<step>.h5` in the records folder, replacing one of the
    /// same kind and step) durably, before the run file that links to it; returns the link's
    /// target, relative to the run file's folder. A process killed in between leaves a record
    /// nothing links to, which the next record of that step replaces.
    private static func writeRecord(beside path: String, _ kind: String, step: Int,
                                    _ body: (HDF5File) throws(HDF5Error) -> Void) throws(HDF5Error) -> HDF5File.ExternalTarget {
        let folder = recordsFolder(path), name = "\(kind)_step_\(step).h5"
        if !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw HDF5Error(.io, "cannot create the records folder: \(error.localizedDescription)", path: folder)
            }
            try DurableFile.synchronize((folder as NSString).deletingLastPathComponent)
        }
        let recordPath = "\(folder)/\(name)"
        let file = try HDF5File(path: recordPath + ".tmp", mode: .createInMemory)
        try file.setAttribute("format", recordFormat)
        try body(file)
        let bytes = try file.image()
        try file.close()
        try DurableFile.replace(recordPath, with: bytes)
        return HDF5File.ExternalTarget(file: "\((folder as NSString).lastPathComponent)/\(name)", object: "/\(kind)/step_\(step)")
    }

    private static func writeLatents(_ record: LatentRecord, step: Int, to file: HDF5File) throws(HDF5Error) {
        let group = "/latents/step_\(step)"
        try file.createGroup(group)
        try file.setAttribute("epoch", Int64(record.epoch), on: group)
        try writeArray(record.mu, at: "\(group)/mu", in: file)
        try writeArray(record.logSigma, at: "\(group)/logsigma", in: file)
        try writeArray(record.z, at: "\(group)/z", in: file)
        try file.write(record.labels, shape: [record.labels.count], at: "\(group)/labels")
    }
}
