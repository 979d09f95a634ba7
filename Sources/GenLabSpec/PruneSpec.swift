/// A sweep's successive halving (`sweep.prune`): at each rung (a step count) the points are
/// ranked by a history column, and only the best go on.
public struct PruneSpec: Equatable, Sendable {
    /// Whether the points wait for each other at a rung.
    public enum Strategy: String, Sendable, CaseIterable {
        /// Every point trains to a rung; the best ⌈n/η⌉ of them go on to the next.
        case synchronous
        /// ASHA, as Optuna's `SuccessiveHalvingPruner`: a point reaching a rung goes on when its
        /// value is among the best 1/η of the values reported at that rung so far.
        case asynchronous
    }

    /// Whether smaller or larger values are better.
    public enum Mode: String, Sendable, CaseIterable {
        case min, max
    }

    /// The history column the points are ranked by ("validation.total").
    public var metric: String
    public var mode: Mode
    public var strategy: Strategy
    /// η: a rung keeps 1/η of the points.
    public var reductionFactor: Int
    /// The first rung (S): rungs are S, Sη, Sη², … below `maxSteps`; nil with explicit rungs.
    public var minSteps: Int?
    /// The steps the points that pass every rung train to (at most the run's length, its
    /// default).
    public var maxSteps: Int?
    /// Explicit rungs, increasing.
    public var explicitRungs: [Int]?
    public var location: SourceLocation
    /// Where the metric, the rungs (or min_steps) and max_steps are written, for errors.
    public var metricLocation: SourceLocation
    public var rungsLocation: SourceLocation
    public var maxStepsLocation: SourceLocation?

    public static func == (a: PruneSpec, b: PruneSpec) -> Bool {
        a.metric == b.metric && a.mode == b.mode && a.strategy == b.strategy && a.reductionFactor == b.reductionFactor
            && a.minSteps == b.minSteps && a.maxSteps == b.maxSteps && a.explicitRungs == b.explicitRungs
    }

    static let keys = ["metric", "mode", "strategy", "reduction_factor", "min_steps", "max_steps", "rungs"]

    static func parse(_ node: YAMLNode) throws(SpecError) -> PruneSpec {
        let f = try node.fields("sweep.prune", allowed: keys)
        let metric = try f.required("metric")
        var spec = PruneSpec(
            metric: try metric.string("sweep.prune.metric"),
            mode: try f["mode"]?.choice("sweep.prune.mode", Mode.self) ?? .min,
            strategy: try f["strategy"]?.choice("sweep.prune.strategy", Strategy.self) ?? .synchronous,
            reductionFactor: try f["reduction_factor"]?.int("sweep.prune.reduction_factor", min: 2, max: 1000) ?? 3,
            minSteps: nil, maxSteps: try f["max_steps"]?.int("sweep.prune.max_steps", min: 1),
            explicitRungs: nil, location: f.location, metricLocation: metric.location, rungsLocation: f.location,
            maxStepsLocation: f["max_steps"]?.location)
        switch (f["min_steps"], f["rungs"]) {
        case (let s?, nil):
            spec.minSteps = try s.int("sweep.prune.min_steps", min: 1)
            spec.rungsLocation = s.location
        case (nil, let r?):
            var rungs: [Int] = []
            for (i, item) in try r.list("sweep.prune.rungs", nonEmpty: true).enumerated() {
                let step = try item.int("sweep.prune.rungs[\(i)]", min: 1)
                if let last = rungs.last, step <= last {
                    throw SpecError(.invalidValue, "'sweep.prune.rungs' must increase: \(step) follows \(last)", at: item.location)
                }
                rungs.append(step)
            }
            spec.explicitRungs = rungs
            spec.rungsLocation = r.location
        case (_?, let r?):
            throw SpecError(.invalidValue, "'sweep.prune' takes 'min_steps' (rungs S, Sη, Sη², …) or explicit 'rungs', not both", at: r.location)
        case (nil, nil):
            throw SpecError(.missingKey, "'sweep.prune' needs 'min_steps' (the first rung; then Sη, Sη², …) or explicit 'rungs: [steps…]'", at: f.location)
        }
        return spec
    }

    /// Reads a `sweep.prune` section kept as YAML text (a sweep definition's `prune_yaml`);
    /// errors name `file`.
    public static func read(yaml: String, file: String) throws(SpecError) -> PruneSpec {
        try parse(try YAMLNode.parse(yaml, file: file))
    }

    /// Refuses to prune a sweep of fewer than two points.
    public func check(points: Int) throws(SpecError) {
        guard points > 1 else {
            throw SpecError(.sweep, "'sweep.prune' needs a sweep of at least two points (this one has \(points))", at: location)
        }
    }

    /// The steps the surviving points train to, for a run of `total` steps.
    public func budget(total: Int) -> Int { min(maxSteps ?? total, total) }

    /// The rungs of a run of `total` steps: the explicit ones, or S, Sη, Sη², … below the
    /// budget; a rung at or past the budget is an error at its place.
    public func rungs(total: Int) throws(SpecError) -> [Int] {
        if let maxSteps, maxSteps > total {
            throw SpecError(.outOfRange, "'sweep.prune.max_steps' is \(maxSteps), beyond the run's \(total) steps", at: maxStepsLocation ?? location)
        }
        let budget = budget(total: total)
        if let explicitRungs {
            if let beyond = explicitRungs.first(where: { $0 >= budget }) {
                throw SpecError(.outOfRange, "rung \(beyond) of 'sweep.prune.rungs' is not before the end of training (step \(budget)): a rung must leave steps to train", at: rungsLocation)
            }
            return explicitRungs
        }
        let first = minSteps ?? 1
        guard first < budget else {
            throw SpecError(.outOfRange, "'sweep.prune.min_steps' is \(first), not before the end of training (step \(budget))", at: rungsLocation)
        }
        var rungs: [Int] = []
        var step = first
        while step < budget {
            rungs.append(step)
            let (next, overflow) = step.multipliedReportingOverflow(by: reductionFactor)
            if overflow { break }
            step = next
        }
        return rungs
    }

    /// Whether `a` ranks before `b` (NaN last).
    public func isBetter(_ a: Double, than b: Double) -> Bool {
        if a.isNaN || b.isNaN { return !a.isNaN && b.isNaN }
        return mode == .min ? a < b : a > b
    }
}
