import GenLabSpec
import GenLabStore

/// Where `train.early_stopping` stands: the best value of its metric so far, at which step,
/// and how many values since have not improved on it (Keras's `EarlyStopping`: `best` and
/// `wait`). Nothing of it is stored: a resumed run replays its history.
struct EarlyStoppingState {
    let spec: TrainSpec.EarlyStopping
    private(set) var best: (step: Int, value: Double)?
    /// Values since the best one.
    private(set) var wait = 0
    /// The best step's weights and buffers (`restore_best`).
    var bestState: RunState?

    init(_ spec: TrainSpec.EarlyStopping) { self.spec = spec }

    /// Takes the metric's value at `step`; returns whether it is the new best.
    mutating func observe(_ value: Double, step: Int) -> Bool {
        guard spec.improves(value, on: best?.value) else {
            wait += 1
            return false
        }
        best = (step, value)
        wait = 0
        return true
    }

    /// Whether `patience` values in a row have not improved.
    var shouldStop: Bool { wait >= spec.patience }

    /// Observes the metric in each row of a stored history (a validation column in the rows
    /// where any validation column holds a number: where a validation ran).
    mutating func replay(_ history: HistoryRows) {
        guard let values = history.columns[spec.metric] else { return }
        let validated = history.columns.filter { $0.key.hasPrefix("validation.") }.values
        for (row, step) in history.steps.enumerated() {
            if spec.metric.hasPrefix("validation."), !validated.contains(where: { !$0[row].isNaN }) { continue }
            _ = observe(Double(values[row]), step: Int(step))
        }
    }
}
