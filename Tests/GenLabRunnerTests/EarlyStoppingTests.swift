import Foundation
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabTestSupport
import GenLabTraining
import Testing

/// `train.early_stopping`: the point stops after `patience` validations without improvement,
/// keeps the best step's weights with `restore_best`, and resumes to the same end.
@Suite struct EarlyStoppingTests {
    /// A small MLP VAE whose validation loss stops improving within 600 steps (lr 1e-2).
    static func experiment(_ earlyStopping: String) -> String {
        """
        name: early
        seed: 0
        dataset: {name: fashion-mnist, subset: 2000, normalize: {mean: [0.2860], std: [0.3530]}}
        model:
          kind: vae
          latent: 4
          encoder: [flatten, {linear: {out: 64}}, relu]
          decoder: mirror
          likelihood: mse
        train:
          steps: 600
          batch_size: 64
          optimizer: {adam: {lr: 1.0e-2}}
          early_stopping: \(earlyStopping)
        record:
          losses_every: 10
          validation: {every: 20, count: 500}
          samples: none
          checkpoint: {every: 30}

        """
    }

    static func point(_ earlyStopping: String) throws -> ExperimentPoint {
        let folder = try RunHarness.folder("early")
        let file = "\(folder)/early.yaml"
        try experiment(earlyStopping).write(toFile: file, atomically: true, encoding: .utf8)
        return try Experiment.load(path: file).points()[0]
    }

    /// Where Keras's rule stops on these values: the step of the `patience`-th value in a row
    /// that is not below the best − `minDelta`, and the best's step.
    static func kerasStop(_ values: [(step: Int, value: Float)], patience: Int, minDelta: Float) -> (stop: Int, best: Int)? {
        var best: (step: Int, value: Float)?, wait = 0
        for (step, value) in values {
            if best == nil || value < best!.value - minDelta {
                best = (step, value)
                wait = 0
            } else {
                wait += 1
                if wait >= patience { return (step, best!.step) }
            }
        }
        return nil
    }

    static func validations(_ history: HistoryRows) -> [(step: Int, value: Float)] {
        zip(history.steps, history.columns["validation.total"] ?? []).filter { !$0.1.isNaN }.map { (Int($0.0), $0.1) }
    }

    @Test(arguments: [(2, 0.0), (3, 0.002)])
    func stopsWhereKerasWould(_ patience: Int, _ minDelta: Double) throws {
        let point = try EarlyStoppingTests.point("{metric: validation.total, patience: \(patience), min_delta: \(minDelta)}")
        let contents = try RunHarness.run(point, results: try RunHarness.folder("early-run")).contents
        let values = EarlyStoppingTests.validations(contents.history)
        let expected = try #require(EarlyStoppingTests.kerasStop(values, patience: patience, minDelta: Float(minDelta)), "no stop within 600 steps: \(values)")
        #expect(contents.metadata.status == .completed)
        #expect(contents.state?.progress.step == Int64(expected.stop) && expected.stop < 600)
        #expect(contents.metadata.stopped == "stopped early at step \(expected.stop), best at step \(expected.best)")
    }

    /// An improvement is strictly better by more than `min_delta` (Keras: `monitor_op(current
    /// − min_delta, best)`); NaN never improves; the first value always does.
    @Test func improvement() throws {
        let min = try #require(try EarlyStoppingTests.point("{metric: total, patience: 1, min_delta: 0.5}").experiment.train.earlyStopping)
        let max = try #require(try EarlyStoppingTests.point("{metric: total, patience: 1, mode: max}").experiment.train.earlyStopping)
        #expect(min.improves(3, on: nil) && min.improves(2.4, on: 3) && !min.improves(2.5, on: 3) && !min.improves(.nan, on: 3) && !min.improves(.nan, on: nil))
        #expect(max.improves(3.1, on: 3) && !max.improves(3, on: 3) && !max.improves(2, on: 3))
    }

    /// `restore_best`: the final weights are bit for bit those a run stopped (by
    /// `--stop-after`) at the best step holds; continued from a checkpoint half-way, the run
    /// ends the same.
    @Test func restoreBestKeepsTheBestStepsWeights() throws {
        let point = try EarlyStoppingTests.point("{metric: validation.total, patience: 2, restore_best: true}")
        let whole = try RunHarness.run(point, results: try RunHarness.folder("early-whole")).contents
        let stopped = try #require(whole.metadata.stopped)
        let bestText = String(stopped.components(separatedBy: "best at step ").dropFirst().first?.prefix(while: \.isNumber) ?? "")
        let best = try #require(Int(bestText), "\(stopped)")
        #expect(stopped.hasSuffix("the weights are the best step's, \(best) (restore_best)"), "\(stopped)")
        let atBest = try RunHarness.run(point, results: try RunHarness.folder("early-at-best"), stopAfter: best).contents
        let final = RunHarness.weightBits(whole).filter { !$0.key.hasPrefix("optimizer ") }
        let reference = RunHarness.weightBits(atBest).filter { !$0.key.hasPrefix("optimizer ") }
        #expect(!final.isEmpty && final == reference, "final weights are not the best step's (\(best))")
        #expect(RunHarness.weightBits(whole).filter { $0.key.hasPrefix("optimizer ") } != RunHarness.weightBits(atBest).filter { $0.key.hasPrefix("optimizer ") },
                "the optimizer is the last step's")

        let results = try RunHarness.folder("early-resumed")
        let first = try RunHarness.run(point, results: results, stopAfter: best + 10)
        #expect(first.outcome == RunOutcome.interrupted)
        let resumed = try RunHarness.run(point, results: results).contents
        #expect(RunHarness.weightBits(resumed) == RunHarness.weightBits(whole))
        #expect(RunHarness.historyBits(resumed.history) == RunHarness.historyBits(whole.history) && resumed.metadata.stopped == stopped)
    }

    /// Early stopping on something the history does not hold is a located error.
    @Test(arguments: [("{metric: validation.total, patience: 2}", "  validation: {every: 20, count: 500}\n", "(validation columns need 'record.validation')"),
                      ("{metric: totl, patience: 2}", "", "'train.early_stopping.metric' is 'totl', not a history column; the history has reconstruction, kl, total"),
                      ("{metric: total, patience: 0}", "", "'train.early_stopping.patience'"),
                      ("{metric: total}", "", "patience")])
    func badEarlyStopping(_ spec: String, _ removed: String, _ message: String) throws {
        let folder = try RunHarness.folder("early-bad")
        let file = "\(folder)/early.yaml"
        var text = EarlyStoppingTests.experiment(spec)
        if !removed.isEmpty { text = text.replacingOccurrences(of: removed, with: "") }
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let run = try Repository.run(RunHarness.genlab, ["validate", file])
        #expect(run.status != 0 && run.output.contains(message) && run.output.contains("early.yaml:1"), "\(run.output)")
    }
}
