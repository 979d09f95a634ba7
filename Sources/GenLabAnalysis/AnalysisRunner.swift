import Foundation
import GenLabCore
import GenLabResults
import GenLabSpec
import GenLabStore

/// Runs analyses on a run file: loads the trained model, computes each analysis, writes its
/// pictures into `analysis/` beside the run file and commits its `/analysis/<name>/` group.
public enum AnalysisRunner {
    /// The analyses run when none are named or declared: those that apply to a model kind,
    /// are not costly and need no ground-truth factors.
    public static func defaults(for kind: ModelSpec.Kind) -> [any Analysis.Type] {
        AnalysisCatalog.all.filter { $0.kinds.contains(kind) && !$0.costly && !$0.needsFactors }
    }

    /// The analyses an experiment's `analysis` section declares, in order, with their
    /// parameters, each checked (name, parameter keys and values, and, given the model's
    /// `kind`, that it applies) at its place in the file.
    public static func declared(_ section: YAMLNode?, kind: ModelSpec.Kind? = nil,
                                dataset: DatasetSpec? = nil) throws(SpecError) -> (names: [String], parameters: [String: YAMLNode]) {
        guard case .mapping(let pairs, _)? = section else { return ([], [:]) }
        var names: [String] = [], parameters: [String: YAMLNode] = [:]
        for pair in pairs {
            switch pair.value {
            case .mapping: parameters[pair.key] = pair.value
            case .scalar(let text, true, _) where ["", "~", "null"].contains(text): break
            default:
                throw SpecError(.wrongType, "'analysis.\(pair.key)' must be a mapping of its parameters (or empty), found \(pair.value.kindDescription)", at: pair.value.location)
            }
            let analysis = try AnalysisCatalog.make(pair.key, parameters: parameters[pair.key], at: pair.keyLocation)
            if let kind, let refusal = type(of: analysis).refusal(for: kind) {
                throw SpecError(.notApplicable, "analysis \(refusal.replacingOccurrences(of: "this run", with: "the model"))", at: pair.keyLocation)
            }
            if let dataset, type(of: analysis).needsFactors, !dataset.hasFactors {
                throw SpecError(.notApplicable, GridRepresentations.refusal(pair.key, dataset: dataset), at: pair.keyLocation)
            }
            names.append(pair.key)
        }
        return (names, parameters)
    }

    /// Runs the analyses `names` (nil: those the run's experiment declared, else every one
    /// that applies to its kind), each with its `parameters` (a mapping) if given, on the run
    /// file at `path`; returns the names done.
    /// `datasets` is shared by the run files of one command.
    public static func run(_ names: [String]?, parameters: [String: YAMLNode] = [:], on path: String,
                           datasets: DatasetCache) throws(RunError) -> [String] {
        guard FileManager.default.fileExists(atPath: path) || PrivateFile.irregularity(path) != nil else {
            throw RunError(.runFile(.missing), "no such run file", path: path)
        }
        // the point's lock, so that no training commit and no analysis commit overwrite each other
        let lock = try RunLock(folder: (path as NSString).deletingLastPathComponent)
        defer { withExtendedLifetime(lock) {} }
        return try run(names, parameters: parameters, on: try TrainedRun(path: path), datasets: datasets)
    }

    /// Runs the analyses `names` as `run(_:parameters:on:datasets:)` does, on a run already
    /// loaded (or just trained); the caller holds the point's lock.
    package static func run(_ names: [String]?, parameters: [String: YAMLNode], on run: TrainedRun,
                            datasets: DatasetCache) throws(RunError) -> [String] {
        let path = run.path
        var chosen: [any Analysis] = []
        var parameters = parameters
        var names = names
        if names == nil, let text = run.metadata.analysisYAML {
            // the analyses the run's experiment declared, with the command line's parameters on top
            do {
                let stored = try declared(try YAMLNode.parse(text, file: "\(path):analysis_yaml"))
                names = stored.names
                parameters = stored.parameters.merging(parameters) { file, command in
                    guard case .mapping(let base, let location) = file, case .mapping(let changes, _) = command else { return command }
                    return .mapping(base.filter { old in !changes.contains { $0.key == old.key } } + changes, location)
                }
            } catch {
                throw RunError(error)
            }
        }
        for name in names ?? defaults(for: run.experiment.model.kind).map({ $0.name }) {
            let location = parameters[name]?.location ?? SourceLocation(file: name, line: 1, column: 1)
            do { chosen.append(try AnalysisCatalog.make(name, parameters: parameters[name], at: location)) } catch { throw RunError(error) }
            if let refusal = type(of: chosen[chosen.count - 1]).refusal(for: run.experiment.model.kind) {
                throw RunError(.analysis, refusal, path: path)
            }
        }
        let pictures = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("analysis")
        do {
            try FileManager.default.createDirectory(atPath: pictures, withIntermediateDirectories: true)
        } catch {
            throw RunError(.io, "cannot create the analysis folder", path: pictures)
        }
        let data = AnalysisData(spec: run.experiment.dataset, datasets: datasets)
        var done: [String] = []
        // a run file from before format 3 gains its description with its first analysis
        let described = RunDescription.described(run)
        for analysis in chosen {
            let record = try analysis.run(on: run, data: data, pictures: pictures)
            do { try RunFile.commitAnalysis(path: path, record, metadata: described) } catch { throw RunError(error) }
            done.append(record.name)
        }
        return done
    }
}
