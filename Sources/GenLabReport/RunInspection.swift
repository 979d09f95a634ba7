import Foundation
import GenLabAnalysis
import GenLabResults
import GenLabSpec
import GenLabStore

/// What `genlab inspect` prints of a run file: its status (a run that says "running" while
/// no process holds its lock is reported as killed), configuration, progress, networks,
/// history, latents, samples and analyses' numbers.
public enum RunInspection {
    /// The lines describing the run file at `file`.
    public static func lines(of file: String) throws -> [String] {
        let contents = try RunFile.read(path: file)
        let m = contents.metadata
        var lines: [String] = []
        // values come from the file: control characters are shown, not sent to the terminal
        func row(_ label: String, _ value: String) { lines.append(label.padding(toLength: 13, withPad: " ", startingAt: 0) + value.visible) }
        lines.append("\(file): GenLab run (format \(contents.formatVersion)), written by genlab \(m.genlabVersion)")
        row("experiment", m.experiment)
        row("run id", m.runID)
        if m.status == .running, !RunLock.isHeld(runFile: file) {
            row("status", "not running: the file says running, but no process holds its lock (killed at step \(contents.state.map { String($0.progress.step) } ?? "0")?); a rerun continues it: 'genlab run <experiment file>' with the options it was started with")
        } else {
            row("status", m.status.rawValue + " (started \(m.startedAt)" + (m.finishedAt.map { ", finished \($0)" } ?? "") + ")")
        }
        if let failure = m.failure { row("failure", failure) }
        if let stopped = m.stopped { row("stopped", stopped) }
        if let images = m.validationImages { row("validation", "on \(images)") }
        if let precision = m.precision { row("precision", precision) }
        if !m.sweepPoint.isEmpty { row("sweep point", m.sweepPoint.split(separator: "\n").joined(separator: " ")) }
        if let experiment = try? Experiment.parse(m.configYAML, file: "\(file):config_yaml") {
            let e = experiment
            row("model", "\(e.model.kind.rawValue), latent \(e.model.latent), on \(e.dataset.name.rawValue) \(e.dataset.imageShape.shapeDescription)")
            let length: String
            switch e.train.length {
            case .epochs(let n): length = "\(n) epoch\(n == 1 ? "" : "s")"
            case .steps(let n): length = "\(n) steps"
            }
            row("training", "\(length), batch \(e.train.batchSize)")
        } else {
            row("model", "(config_yaml does not parse with this GenLab)")
        }
        if let state = contents.state {
            row("progress", "step \(state.progress.step), epoch \(state.progress.epoch), next batch \(state.progress.batch)")
            let networks = state.weights.keys.sorted().map { name in
                let count = state.weights[name]!.reduce(0) { $0 + $1.values.count }
                return "\(name) \(count) parameters"
            }
            row("networks", networks.joined(separator: "; "))
        } else {
            row("progress", "no checkpoint yet")
        }
        let h = contents.history
        if let last = h.steps.indices.last {
            let values = h.columns.keys.sorted().map { "\($0)=\(h.columns[$0]![last])" }.joined(separator: " ")
            row("history", "\(h.count) rows; last: step \(h.steps[last]) epoch \(h.epochs[last]) \(values)")
        } else {
            row("history", "empty")
        }
        if let first = contents.latents.first {
            let places = contents.latents.map { $0.step.map { "step \($0)" } ?? "epoch \($0.epoch)" }
            row("latents", "\(places.joined(separator: ", ")) (\(first.mu.shape.shapeDescription) each)")
        } else {
            row("latents", "none")
        }
        if let first = contents.samples.first {
            row("samples", "steps \(contents.samples.map { String($0.step) }.joined(separator: ", ")) (\(first.images.shape.shapeDescription) each)")
        } else {
            row("samples", "none")
        }
        let analyses = try RunFile.readAnalyses(path: file)
        row("analyses", analyses.isEmpty ? "none ('genlab analyze' computes them)" : analyses.map(\.name).joined(separator: ", "))
        // the measured numbers (the parameters, and pca_baseline's component count, left to the file)
        for analysis in analyses {
            let numbers = AnalysisCatalog.measured(analysis).filter { $0.name != "components" }.map { number in
                number.isInteger ? "\(number.name)=\(Int64(number.value))" : "\(number.name)=\(String(format: "%.5g", number.value))"
            }
            if !numbers.isEmpty { row("", "\(analysis.name): \(numbers.joined(separator: " "))") }
        }
        return lines
    }
}
