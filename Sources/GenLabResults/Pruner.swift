import Foundation
import GenLabSpec
import GenLabStore

/// Successive halving's decisions for the points of a pruned sweep (`sweep.prune`), kept in
/// the sweep's rung table: each point reports its metric when it reaches a rung and learns
/// whether it goes on.
///
/// - Synchronous: a rung is decided once every point that reached the previous rung's
///   promotion (every point of the sweep, at the first rung) has reported there — a point
///   that failed counts as the worst value —; the best ⌈n/η⌉ by the metric go on (ties by the
///   sweep's order, NaN last). The decisions are a function of the values alone, whatever
///   order the reports came in.
/// - Asynchronous (ASHA): a point's report is decided at once by Optuna's
///   `SuccessiveHalvingPruner` rule (`promotesAsynchronously`).
/// A pruned sweep as its points' runs see it: the spec, the rung table, every point.
public struct PrunedSweep: Equatable, Sendable {
    public var spec: PruneSpec
    /// The rung table's path.
    public var table: String
    /// Every point's run id, in the sweep's order.
    public var population: [String]
    /// The folder of the points' folders.
    public var folder: String

    public init(spec: PruneSpec, table: String, population: [String], folder: String) {
        self.spec = spec
        self.table = table
        self.population = population
        self.folder = folder
    }
}

public struct Pruner: Sendable {
    /// What a point does after a rung.
    public enum Verdict: Equatable, Sendable {
        case goOn
        /// Stopped for good; the run file's `stopped` says why.
        case pruned(String)
        /// A synchronous rung not decided yet: the point stops with a checkpoint and is
        /// continued once the others have reported.
        case waiting(String)
    }

    public let spec: PruneSpec
    /// The rung table's path.
    public let table: String
    /// Every point's run id, in the sweep's order.
    public let population: [String]
    /// The folder of the points' folders.
    public let folder: String
    /// The rungs of the points' runs (`PruneSpec.rungs(total:)`).
    public let rungs: [Int]
    /// The steps the points that pass every rung train to.
    public let budget: Int

    /// The pruner of `sweep`'s runs of `total` steps; rungs that do not fit them are an error
    /// at their place.
    public init(_ sweep: PrunedSweep, total: Int) throws(SpecError) {
        spec = sweep.spec
        table = sweep.table
        population = sweep.population
        folder = sweep.folder
        rungs = try spec.rungs(total: total)
        budget = spec.budget(total: total)
    }

    /// Optuna's rule (`optuna.pruners.SuccessiveHalvingPruner`, `_is_trial_promotable_to_next_rung`):
    /// with the values reported at the rung so far, `value` included, sorted from best, the
    /// point goes on when its value is at least as good as the one at index
    /// max(⌊count/η⌋ − 1, 0).
    public static func promotesAsynchronously(_ value: Double, competing: [Double], reductionFactor: Int, mode: PruneSpec.Mode) -> Bool {
        let index = max(competing.count / reductionFactor - 1, 0)
        let sorted = competing.sorted()
        return mode == .min ? value <= sorted[index] : value >= sorted[sorted.count - 1 - index]
    }

    /// The run ids that go on from a synchronous rung: the best ⌈n/η⌉ of `reports` (ties by
    /// `order`, NaN last).
    public static func promotedSynchronously(_ reports: [RungTable.Report], order: [String], spec: PruneSpec) -> Set<String> {
        let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($0.element, $0.offset) })
        let ranked = reports.sorted { a, b in
            if spec.isBetter(a.value, than: b.value) { return true }
            if spec.isBetter(b.value, than: a.value) { return false }
            return position[a.runID, default: .max] < position[b.runID, default: .max]
        }
        let kept = (reports.count + spec.reductionFactor - 1) / spec.reductionFactor
        return Set(ranked.prefix(kept).map(\.runID))
    }

    /// Reports `value`, `runID`'s metric at the rung `step` (a report made before stands: a
    /// rerun gets the same verdict), and returns what the point does next.
    public func report(_ runID: String, step: Int, value: Double) throws(RunError) -> Verdict {
        try RungTable.update(path: table) { (table) throws(RunError) -> Verdict in
            let r = table.rung(at: step)
            if table.rungs[r].report(of: runID) == nil {
                var report = RungTable.Report(runID: runID, value: value.isFinite ? value : .nan, decision: nil)
                if spec.strategy == .asynchronous {
                    // as Optuna: a NaN is pruned and not kept among the competing values
                    let competing = table.rungs[r].reports.map(\.value).filter { !$0.isNaN } + [report.value]
                    report.decision = !report.value.isNaN && Pruner.promotesAsynchronously(
                        report.value, competing: competing, reductionFactor: spec.reductionFactor, mode: spec.mode) ? .promoted : .pruned
                }
                table.rungs[r].reports.append(report)
            }
            if spec.strategy == .synchronous { try decide(&table, at: step) }
            return verdict(table, runID, step: step)
        }
    }

    /// The verdict the table holds for `runID` at `step`, nil before it reported there.
    public func verdict(of runID: String, at step: Int) throws(RunError) -> Verdict? {
        let table = try RungTable.read(path: self.table)
        guard table.report(of: runID, at: step) != nil else { return nil }
        return verdict(table, runID, step: step)
    }

    private func verdict(_ table: RungTable, _ runID: String, step: Int) -> Verdict {
        let rung = table.rungs.first { $0.step == step }!
        let report = rung.report(of: runID)!
        switch report.decision {
        case .promoted?: return .goOn
        case .pruned?:
            let rank = rung.reports.filter { spec.isBetter($0.value, than: report.value) }.count + 1
            return .pruned("pruned at step \(step): \(spec.metric) \(String(format: "%.6g", report.value)) ranked \(rank) of the \(rung.reports.count) points at this rung (\(spec.strategy.rawValue) successive halving, η = \(spec.reductionFactor))")
        case nil:
            return .waiting("waiting at rung \(step) for the other points")
        }
    }

    /// The points that take part in the rung at `step`: every point at the first rung, those
    /// promoted at the rung before otherwise.
    private func members(_ table: RungTable, of step: Int) -> [String] {
        guard let k = rungs.firstIndex(of: step), k > 0 else { return population }
        let promoted = Set(table.rungs.first { $0.step == rungs[k - 1] }?.reports.filter { $0.decision == .promoted }.map(\.runID) ?? [])
        return population.filter(promoted.contains)
    }

    /// Decides the synchronous rung at `step` when every member has a value: those that
    /// failed (or whose run file cannot be read) without reporting count as NaN, those that
    /// reached the step otherwise (trained before the sweep was pruned) with their history's.
    private func decide(_ table: inout RungTable, at step: Int) throws(RunError) {
        let r = table.rung(at: step)
        guard !table.rungs[r].reports.contains(where: { $0.decision != nil }) else { return }
        for runID in members(table, of: step) where table.rungs[r].report(of: runID) == nil {
            guard let value = finishedValue(runID, step: step) else { return }
            table.rungs[r].reports.append(RungTable.Report(runID: runID, value: value, decision: nil))
        }
        let members = Set(members(table, of: step))
        let taking = table.rungs[r].reports.filter { members.contains($0.runID) }
        let promoted = Pruner.promotedSynchronously(taking, order: population, spec: spec)
        for i in table.rungs[r].reports.indices {
            table.rungs[r].reports[i].decision = promoted.contains(table.rungs[r].reports[i].runID) ? .promoted : .pruned
        }
        // a decided rung lists its reports in the sweep's order, not their arrival's: the table
        // ends the same however the points were run
        let position = Dictionary(uniqueKeysWithValues: population.enumerated().map { ($0.element, $0.offset) })
        table.rungs[r].reports.sort { position[$0.runID, default: .max] < position[$1.runID, default: .max] }
    }

    /// The value a point that will not report at `step` stands for: NaN when it failed or
    /// cannot be read, its history's value when it completed past the step; nil when it may
    /// still report.
    private func finishedValue(_ runID: String, step: Int) -> Double? {
        let status = PointStatus.read(PointFiles(folder: "\(folder)/\(runID)"))
        switch status.state {
        case .failed, .unreadable: return .nan
        case .completed:
            guard let history = status.summary?.history, let row = history.steps.firstIndex(of: Int64(step)),
                  let value = history.columns[spec.metric]?[row] else { return .nan }
            return Double(value)
        default: return nil
        }
    }
}
