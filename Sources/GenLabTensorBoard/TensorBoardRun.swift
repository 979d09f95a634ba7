import Foundation
import GenLabAnalysis
import GenLabData
import GenLabResults
import GenLabStore

/// One point's TensorBoard run: the event files in its `tensorboard/` folder, written as its
/// run file commits (`record.tensorboard`, on by default) or afterwards from the run file
/// (`genlab export tensorboard`).
///
/// What it holds: at step 0, the point's resolved configuration (text, tag `config`) and, in a
/// sweep, its session start (the HParams plugin: its swept values); at each recorded step, one
/// event with every history column that has a value there (scalars tagged by the column,
/// `validation.total`; NaN — no validation in that row — left out) and the recorded samples
/// as a grid (`samples`, or `reconstructions`: the holdout images' row above each row of their
/// reconstructions), 8 images a row as torchvision's `make_grid`; when the point completes,
/// `metrics/best.<column>` (the smallest finite value) and `metrics/<analysis>.<number>` at its
/// last step, with the sweep's experiment (keys, domains and these metrics) and the session's
/// end, so the HParams tab lists every point with its values, final and best losses and
/// analysis numbers.
///
/// A resumed point writes a new file that starts after the last step its event files already
/// hold (the checkpoint's history past it, written by a commit whose events a kill cut off,
/// comes first), so TensorBoard draws each step once, equal to the run file's history; should
/// the files reach past the checkpoint, the new file starts with TensorBoard's session restart
/// (`SessionLog.START`), which drops the steps after it. A point started again from step 0
/// removes GenLab's old event files.
public final class TensorBoardRun: TrainingObserver {
    public let folder: EventFolder
    /// The run file (its analyses are read when the point completes).
    private let runFile: String
    private let configYAML: String
    private let hparams: SweepHParams?
    private let clock: () -> Double
    private var file: EventFile?
    /// The holdout images of reconstructions, on the pixel scale.
    private var originals: StoredArray?
    /// The smallest finite value of each column so far.
    private var best: [String: Float] = [:]
    private var note: (String) -> Void = { _ in }
    /// Set by the first failure: the rest of the run writes nothing.
    private var failed = false
    /// The current event file and the scalars and images written to it.
    public private(set) var written = (path: "", scalars: 0, images: 0)

    /// The images a grid row holds (`make_grid`'s default).
    static let columns = 8

    /// - Parameters:
    ///   - folder: the point's `tensorboard/` folder.
    ///   - runFile: the point's run file.
    ///   - configYAML: its resolved configuration.
    ///   - hparams: its sweep's keys and its values (nil outside a sweep).
    ///   - clock: the wall time of each event.
    public init(folder: String, runFile: String, configYAML: String, hparams: SweepHParams?,
                clock: @escaping () -> Double = { Date().timeIntervalSince1970 }) {
        self.folder = EventFolder(path: folder)
        self.runFile = runFile
        self.configYAML = configYAML
        self.hparams = hparams
        self.clock = clock
    }

    // MARK: live, as the run file commits

    public func begin(step: Int, previous: RunContents?, originals: StoredArray?, note: @escaping (String) -> Void) {
        self.note = note
        self.originals = originals
        attempt { () throws(EventFileError) in
            if previous == nil { folder.removeFiles() }
            let last = previous == nil ? nil : folder.lastStep
            let file = try EventFile(folder: folder, wallTime: clock())
            self.file = file
            if last == nil { try writeStart() }
            if let last, last > step { try file.restart(step: step + 1, wallTime: clock()) }
            if let previous {
                observeBest(previous.history)
                try record(previous.history, previous.samples, after: last ?? -1)
            }
        }
    }

    public func committed(history: HistoryRows, samples: [SampleRecord]) {
        attempt { () throws(EventFileError) in
            observeBest(history)
            try record(history, samples, after: -1)
        }
    }

    /// The point completed at `step` (its analyses done): best values, analysis numbers, the
    /// sweep's experiment and the session's end.
    public func completed(step: Int) {
        attempt { () throws(EventFileError) in try writeEnd(step: step) }
    }

    /// Runs `body` unless a write failed before; the first failure is noted, once, and ends
    /// the writing (training goes on).
    private func attempt(_ body: () throws(EventFileError) -> Void) {
        guard !failed else { return }
        do { try body() } catch {
            failed = true
            file = nil
            note("TensorBoard: \(error.description); no more events are written for this run (training goes on)")
        }
    }

    // MARK: events

    /// The configuration and, in a sweep, the session's start, at step 0.
    private func writeStart() throws(EventFileError) {
        // a markdown code block: the text plugin shows the YAML as it is
        let lines = configYAML.trimmingCharacters(in: .newlines).split(separator: "\n", omittingEmptySubsequences: false)
        let indented = lines.map { "    \($0)" }.joined(separator: "\n")
        var values: [SummaryValue] = [.text(tag: "config", markdown: indented)]
        if let hparams { values.append(hparams.sessionStart(wallTime: clock())) }
        try write(step: 0, values)
    }

    private func observeBest(_ history: HistoryRows) {
        for (tag, values) in history.columns {
            for value in values where value.isFinite { best[tag] = min(best[tag] ?? value, value) }
        }
    }

    /// One event per step past `last` with the history's values and the samples there.
    private func record(_ history: HistoryRows, _ samples: [SampleRecord], after last: Int) throws(EventFileError) {
        guard file != nil else { return }
        var byStep: [Int: [SummaryValue]] = [:]
        let tags = history.columns.keys.sorted()
        for (row, step) in history.steps.enumerated() where step > last {
            for tag in tags {
                if let value = history.columns[tag]?[row], !value.isNaN { byStep[Int(step), default: []].append(.scalar(tag: tag, value: value)) }
            }
        }
        for sample in samples where sample.step > last { byStep[sample.step, default: []].append(try picture(sample)) }
        for step in byStep.keys.sorted() { try write(step: step, byStep[step]!) }
    }

    /// The recorded samples as a grid: 8 a row; reconstructions under their holdout images.
    private func picture(_ sample: SampleRecord) throws(EventFileError) -> SummaryValue {
        let shape = sample.images.shape
        do throws(DataError) {
            guard let images = sample.images.floats, shape.count == 4, shape[0] > 0 else {
                throw DataError(.mismatch, "not N × C × H × W values", path: "")
            }
            let tag: String, pixels: [Float], count: Int, columns = min(TensorBoardRun.columns, shape[0])
            if let originals, let source = originals.floats, originals.shape == shape {
                // pairs of rows, the last pair filled with white
                let size = shape.dropFirst().reduce(1, *), blank = [Float](repeating: 1, count: size)
                var rows: [Float] = []
                for start in stride(from: 0, to: shape[0], by: columns) {
                    let end = min(start + columns, shape[0]), filler = Array(repeatElement(blank, count: columns - (end - start)).joined())
                    rows += source[start * size..<end * size] + filler + images[start * size..<end * size] + filler
                }
                (tag, pixels, count) = ("reconstructions", rows, rows.count / size)
            } else {
                (tag, pixels, count) = ("samples", images, shape[0])
            }
            let grid = try ImageGrid(images: pixels, shape: [count] + shape.dropFirst(), columns: columns)
            return .image(tag: tag, grid: grid, png: try grid.png())
        } catch {
            throw EventFileError(.content, "the samples recorded at step \(sample.step) cannot be drawn: \(error.message)", path: runFile)
        }
    }

    /// Best values and analysis numbers at `step`, the experiment, the session's end.
    private func writeEnd(step: Int) throws(EventFileError) {
        guard file != nil else { return }
        let analyses: [AnalysisRecord]
        do { analyses = try RunFile.readAnalyses(path: runFile) } catch {
            throw EventFileError(.content, "cannot read the analyses: \(error.message)", path: runFile)
        }
        var values: [SummaryValue] = [], metrics: [SweepHParams.Metric] = []
        for tag in best.keys.sorted() { metrics.append(.init(tag: tag, title: tag)) }
        for (tag, value) in best.sorted(by: { $0.key < $1.key }) {
            values.append(.scalar(tag: "metrics/best.\(tag)", value: value))
            metrics.append(.init(tag: "metrics/best.\(tag)", title: "best.\(tag)"))
        }
        for analysis in analyses {
            for number in AnalysisCatalog.measured(analysis).sorted(by: { $0.name < $1.name }) {
                let name = "\(analysis.name).\(number.name)"
                values.append(.scalar(tag: "metrics/\(name)", value: Float(number.value)))
                metrics.append(.init(tag: "metrics/\(name)", title: name))
            }
        }
        if let hparams {
            values.append(hparams.experiment(metrics: metrics, wallTime: clock()))
            values.append(SweepHParams.sessionEnd(.success, wallTime: clock()))
        }
        try write(step: step, values)
    }

    private func write(step: Int, _ values: [SummaryValue]) throws(EventFileError) {
        guard let file else { return }
        try file.write(step: step, wallTime: clock(), values)
        written.path = file.path
        for value in values {
            switch value {
            case .scalar: written.scalars += 1
            case .image: written.images += 1
            case .text, .hparams: break
            }
        }
    }

    // MARK: afterwards, from the run file

    /// Writes the event file of a run file that has none: its history and samples, and when
    /// it completed, its best values, analyses and the session's end.
    func export(_ contents: RunContents, originals: StoredArray?) throws(EventFileError) {
        self.originals = originals
        file = try EventFile(folder: folder, wallTime: clock())
        try writeStart()
        observeBest(contents.history)
        try record(contents.history, contents.samples, after: -1)
        if contents.metadata.status == .completed, let step = contents.history.steps.last {
            try writeEnd(step: Int(step))
        }
    }
}
