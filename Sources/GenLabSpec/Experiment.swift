@_exported import GenLabCore
import GenLabNN
import Foundation

/// A whole experiment file, parsed and checked (everything except network shapes, which
/// the model builder checks against the dataset's images).
public struct Experiment: Equatable, Sendable {
    public var name: String
    public var seed: UInt64
    public var dataset: DatasetSpec
    public var model: ModelSpec
    public var train: TrainSpec
    public var record: RecordSpec
    public var sweep: SweepSpec?
    /// The file it came from.
    public var file: String
    /// The document without its sweep, with this point's overrides applied.
    public var tree: YAMLNode
    /// The length `--epochs` / `--steps` set, which every point of the sweep keeps.
    var commandLineLength: TrainSpec.Length?
    /// The sweep as written (with `--set sweep.…` changes), parsed into `sweep`.
    var sweepTree: YAMLNode?
    /// The `analysis` section as written (with `--set analysis.…` changes): analysis names
    /// mapped to their parameters, run on each point after it trains. Like the sweep, it is
    /// not part of the configuration, so it changes no run id.
    public var analysis: YAMLNode?

    /// The sweep's `prune` section as YAML text (nil without one), which the sweep definition
    /// keeps for its workers.
    public var pruneYAML: String? { sweepTree?.value(at: ["prune"])?.yamlText }

    static let keys = ["name", "seed", "dataset", "model", "train", "record", "sweep", "analysis"]

    /// Reads and checks the experiment file at `path`.
    public static func load(path: String) throws(SpecError) -> Experiment {
        try parse(try ExperimentText.read(path: path), file: path)
    }

    /// Parses and checks experiment text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(SpecError) -> Experiment {
        try parse(tree: try YAMLNode.parse(text, file: file), file: file)
    }

    static func parse(tree: YAMLNode, file: String) throws(SpecError) -> Experiment {
        let f = try tree.fields("", allowed: keys)
        let name = try f.required("name").string("name")
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }), !name.hasPrefix(".") else {
            throw SpecError(.invalidValue, "'name' must be letters, digits, '-', '_' or '.' (it names the results folder), found \"\(name)\"", at: f["name"]!.location)
        }
        let model = try ModelSpec.parse(try f.required("model"))
        let dataset = try DatasetSpec.parse(try f.required("dataset"))
        let modelFields = try f.required("model").fields("model", allowed: ModelSpec.keys)
        if let classes = model.autoencoder?.classes ?? model.adversarial?.classes, classes > 0, dataset.classes > 0,
           classes != dataset.classes {
            throw SpecError(.invalidValue, "'model.classes' is \(classes) but \(dataset.name.rawValue) has \(dataset.classes) classes",
                            at: (modelFields["classes"]?.location ?? modelFields.location))
        }
        if model.autoencoder?.likelihood == .bce, let range = dataset.normalization.range, range.lowerBound < 0 || range.upperBound > 1 {
            throw SpecError(.invalidValue, "'likelihood: bce' needs targets in [0, 1], but 'dataset.normalize' puts pixels in [\(String(format: "%.3g", range.lowerBound)), \(String(format: "%.3g", range.upperBound))] (BCE is computed on the normalised pixels, as PyTorch's BCELoss would refuse these); use normalize: unit, or likelihood: mse or gaussian",
                            at: (modelFields["likelihood"]?.location ?? modelFields.location))
        }
        let train = try TrainSpec.parse(f["train"], kind: model.kind, at: f.location)
        if let tc = model.autoencoder?.tc, tc.datasetSize < train.batchSize {
            throw SpecError(.outOfRange, "'model.tc.dataset_size' is \(tc.datasetSize), smaller than a batch (train.batch_size \(train.batchSize)); it is the number of training images the batches are drawn from",
                            at: tc.datasetSizeLocation)
        }
        if let node = f["analysis"] {
            guard case .mapping = node else {
                throw SpecError(.wrongType, "'analysis' must map analysis names to their parameters, e.g. {samples: {count: 16}, latent_scatter: {}}, found \(node.kindDescription)", at: node.location)
            }
        }
        var withoutSweep = f.pairs
        withoutSweep.removeAll { $0.key == "sweep" || $0.key == "analysis" }
        return Experiment(
            name: name,
            seed: UInt64(try f["seed"]?.int("seed", min: 0) ?? 0),
            dataset: dataset,
            model: model,
            train: train,
            record: try RecordSpec.parse(f["record"], kind: model.kind),
            sweep: try f["sweep"].map { n throws(SpecError) in try SweepSpec.parse(n) },
            file: file,
            tree: .mapping(withoutSweep, f.location),
            sweepTree: f["sweep"],
            analysis: f["analysis"])
    }

    /// The experiment's points: one per override set of its sweep (one point without
    /// overrides when it has no sweep), each parsed and checked with its overrides applied.
    public func points() throws(SpecError) -> [ExperimentPoint] {
        guard let sweep else { return [ExperimentPoint(experiment: self, overrides: [])] }
        var result: [ExperimentPoint] = []
        var seen: [String: Int] = [:]
        for (index, overrides) in try sweep.overrideSets().enumerated() {
            let point = try applying(overrides)
            let hash = point.experiment.tree.configurationHash
            if let other = seen[hash] {
                throw SpecError(.sweep, "sweep points \(other + 1) and \(index + 1) resolve to the same configuration (\(result[other].runID) and \(point.runID))", at: sweep.location)
            }
            seen[hash] = index
            result.append(point)
        }
        return result
    }

    /// This experiment with `overrides` (command-line `--set`) applied: `sweep.…` keys to its
    /// sweep (`sweep.grid.seed=[0]` narrows a grid, `sweep.parallel=4`; a sweep can be added
    /// or replaced whole), the others to its base configuration; parsed and checked again.
    public func overriding(_ overrides: [Override]) throws(SpecError) -> Experiment {
        var result = try applying(overrides.filter { !$0.isSweepKey && !$0.isAnalysisKey }).experiment
        for o in overrides where o.isAnalysisKey {
            var node = result.analysis ?? .mapping([], o.keyLocation)
            try node.set(path: Array(o.path.dropFirst()), to: o.value, override: o)
            guard case .mapping = node else {
                throw SpecError(.wrongType, "'analysis' must map analysis names to their parameters", at: o.value.location)
            }
            result.analysis = node
        }
        var sweepTree = self.sweepTree
        for o in overrides where o.isSweepKey {
            var node = sweepTree ?? .mapping([], o.keyLocation)
            try node.set(path: o.sweepPath, to: o.value, override: o)
            sweepTree = node
        }
        result.sweepTree = sweepTree
        result.sweep = try sweepTree.map { n throws(SpecError) in try SweepSpec.parse(n) }
        return result
    }

    /// This experiment trained for `length` instead (command-line `--epochs` / `--steps`),
    /// which changes its configuration and so its run ids. The length also wins over a
    /// sweep's `train.epochs` or `train.steps`: every point trains for it.
    public func training(for length: TrainSpec.Length) throws(SpecError) -> Experiment {
        var result = try Experiment.parse(tree: try Experiment.setting(length, in: tree), file: file)
        result.sweep = sweep
        result.sweepTree = sweepTree
        result.analysis = analysis
        result.commandLineLength = length
        return result
    }

    /// `tree` with its training length replaced by `length`.
    static func setting(_ length: TrainSpec.Length, in tree: YAMLNode) throws(SpecError) -> YAMLNode {
        let location = SourceLocation(file: "command line", line: 1, column: 1)
        var tree = tree
        tree.remove(path: ["train", "epochs"])
        tree.remove(path: ["train", "steps"])
        let (key, value): (String, Int) = switch length {
        case .epochs(let n): ("epochs", n)
        case .steps(let n): ("steps", n)
        }
        let o = Override(key: "train.\(key)", keyLocation: location, value: .scalar(String(value), isPlain: true, location))
        if case .mapping(let pairs, _) = tree, !pairs.contains(where: { $0.key == "train" }) {
            try tree.set(path: ["train"], to: .mapping([], location), override: o)
        }
        try tree.set(path: ["train", key], to: o.value, override: o)
        return tree
    }

    /// This experiment with `overrides` applied (dotted keys), parsed and checked again.
    public func applying(_ overrides: [Override]) throws(SpecError) -> ExperimentPoint {
        var tree = self.tree
        for o in overrides {
            try tree.set(path: o.path, to: o.value, override: o)
        }
        if let commandLineLength { tree = try Experiment.setting(commandLineLength, in: tree) }
        do {
            var resolved = try Experiment.parse(tree: tree, file: file)
            resolved.sweep = nil
            resolved.sweepTree = nil
            resolved.analysis = analysis
            return ExperimentPoint(experiment: resolved, overrides: overrides)
        } catch {
            if let o = overrides.first(where: { $0.keyLocation == error.location }) {
                throw SpecError(.sweep, "\(o.origin) key '\(o.key)' does not exist in the experiment: \(error.message)", at: error.location)
            }
            if let o = overrides.first(where: { $0.value.location == error.location }) {
                throw SpecError(.sweep, "\(o.origin) value \(o.key)=\(o.value.compactText): \(error.message)", at: error.location)
            }
            throw error
        }
    }
}

/// One point of a sweep: the resolved experiment, its overrides and its run id.
public struct ExperimentPoint: Equatable, Sendable {
    public var experiment: Experiment
    public var overrides: [Override]

    init(experiment: Experiment, overrides: [Override]) {
        self.experiment = experiment
        self.overrides = overrides
    }

    /// A readable slug of the overrides plus a short hash of the resolved configuration,
    /// e.g. "beta=0.1_seed=1-3fa9c2d1" ("base-…" without overrides).
    public var runID: String {
        let slug = overrides.isEmpty ? "base" : overrides.map { o in
            let key = o.key.split(separator: ".").last.map(String.init) ?? o.key
            return "\(key)=\(o.value.slugText)"
        }.joined(separator: "_")
        return "\(String(slug.prefix(80)))-\(experiment.tree.configurationHash)"
    }

    /// The resolved configuration as YAML text (without the sweep).
    public var resolvedYAML: String { experiment.tree.yamlText }

    /// A point read back from text: its resolved configuration (`resolvedYAML`), its
    /// `analysis` section, and its overrides as key and YAML value; `file` names it in errors.
    public init(resolvedYAML: String, analysisYAML: String? = nil, overrides: [(key: String, value: String)], file: String) throws(SpecError) {
        experiment = try Experiment.parse(resolvedYAML, file: file)
        experiment.analysis = try analysisYAML.map { text throws(SpecError) in try YAMLNode.parse(text, file: file) }
        self.overrides = []
        for (key, value) in overrides {
            let location = SourceLocation(file: file, line: 1, column: 1)
            self.overrides.append(Override(key: key, keyLocation: location, value: try YAMLNode.parse(value, file: file)))
        }
    }

    /// Eight hex digits naming a set of points (a hash of their run ids, in order).
    public static func identity(of points: [ExperimentPoint]) -> String {
        let location = SourceLocation(file: "", line: 0, column: 0)
        return YAMLNode.sequence(points.map { .scalar($0.runID, isPlain: false, location) }, location).configurationHash
    }
}
