import Foundation
import GenLabSpec
import GenLabStore

/// Runs analyses on a run file: loads the trained model, computes each analysis, writes its
/// pictures into `analysis/` beside the run file and commits its `/analysis/<name>/` group.
public enum AnalysisRunner {
    /// The analyses that apply to a model kind, run when none are named: every one for
    /// autoencoders, those without an encoder for GANs and WGANs.
    public static func defaults(for kind: ModelSpec.Kind) -> [any Analysis.Type] {
        AnalysisCatalog.all.filter { !$0.needsEncoder || ![.gan, .wgan].contains(kind) }
    }

    /// Runs the analyses `names` (nil: the defaults for the run's kind), each with its
    /// `parameters` (a mapping) if given, on the run file at `path`; returns the names done.
    /// `datasets` is shared by the run files of one command.
    public static func run(_ names: [String]?, parameters: [String: YAMLNode] = [:], on path: String,
                           datasets: DatasetCache) throws(RunError) -> [String] {
        let run = try TrainedRun(path: path)
        var chosen: [any Analysis] = []
        for name in names ?? defaults(for: run.experiment.model.kind).map({ $0.name }) {
            let location = parameters[name]?.location ?? SourceLocation(file: name, line: 1, column: 1)
            do { chosen.append(try AnalysisCatalog.make(name, parameters: parameters[name], at: location)) } catch { throw RunError(error) }
        }
        let pictures = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("analysis")
        do {
            try FileManager.default.createDirectory(atPath: pictures, withIntermediateDirectories: true)
        } catch {
            throw RunError(.io, "cannot create the analysis folder", path: pictures)
        }
        let data = AnalysisData(spec: run.experiment.dataset, datasets: datasets, path: path)
        var done: [String] = []
        for analysis in chosen {
            let record = try analysis.run(on: run, data: data, pictures: pictures)
            do { try RunFile.commitAnalysis(path: path, record) } catch { throw RunError(error) }
            done.append(record.name)
        }
        return done
    }
}
