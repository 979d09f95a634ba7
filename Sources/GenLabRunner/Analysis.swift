import Foundation
import GenLabData
import GenLabModels
import GenLabSpec
import GenLabStore
import GenLabTensor

/// One analysis of a trained run: its name and parameters (read like an experiment file's
/// keys, with located errors), and what it computes from the run's final weights. It returns
/// its numbers and arrays for `/analysis/<name>/` and writes its pictures into `pictures`.
public protocol Analysis {
    /// The name it is asked for by and stored under.
    static var name: String { get }
    /// Its parameters (all optional).
    static var parameterNames: [String] { get }
    /// Whether it needs an encoder (so does not apply to GANs and WGANs).
    static var needsEncoder: Bool { get }
    /// Reads its parameters (nil: every default).
    init(_ parameters: Fields?) throws(SpecError)
    func run(on run: TrainedRun, data: AnalysisData, pictures: String) throws(RunError) -> AnalysisRecord
}

/// Every analysis GenLab has, and reading one by name.
public enum AnalysisCatalog {
    public static let all: [any Analysis.Type] = [Reconstructions.self, PriorSamples.self, LatentScatter.self, LatentGrid.self,
                                                  Traversal.self, Interpolation.self]

    /// The analysis called `name` with `parameters` (a mapping, or nil).
    public static func make(_ name: String, parameters: YAMLNode?, at location: SourceLocation) throws(SpecError) -> any Analysis {
        guard let kind = all.first(where: { $0.name == name }) else {
            throw SpecError(.unknownName, NearestKey.unknownMessage("analysis", name, valid: all.map { $0.name }), at: location)
        }
        var fields: Fields?
        if let parameters { fields = try parameters.fields(name, allowed: kind.parameterNames) }
        return try kind.init(fields)
    }
}

/// An analysis's parameters, each with its default when absent.
extension Optional where Wrapped == Fields {
    func int(_ key: String, default fallback: Int, min: Int? = nil, max: Int? = nil) throws(SpecError) -> Int {
        guard let fields = self, let node = fields[key] else { return fallback }
        return try node.int(fields.path(key), min: min, max: max)
    }

    func double(_ key: String, default fallback: Double, exclusiveMin: Double? = nil, max: Double? = nil) throws(SpecError) -> Double {
        guard let fields = self, let node = fields[key] else { return fallback }
        return try node.double(fields.path(key), exclusiveMin: exclusiveMin, max: max)
    }
}

extension TrainedRun {
    /// The autoencoder's view, or an error naming the run and the analysis that needs it.
    func latentModel(for analysis: String) throws(RunError) -> LatentModel {
        guard let model = latentModel else {
            throw RunError(.analysis, "'\(analysis)' needs an autoencoder (ae, vae, cvae, hvae); this run is a \(experiment.model.kind.rawValue)", path: path)
        }
        return model
    }

    /// A shape error of an analysis as a run error naming the file.
    func failure(_ analysis: String, _ error: ShapeError) -> RunError {
        RunError(.analysis, "'\(analysis)': \(error.message)", path: path)
    }
}
