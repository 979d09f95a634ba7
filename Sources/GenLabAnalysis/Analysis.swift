import Foundation
import GenLabData
import GenLabModels
import GenLabResults
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
    /// The model kinds it applies to.
    static var kinds: [ModelSpec.Kind] { get }
    /// Whether it is left out of the analyses run when none are named or declared (it
    /// optimises, or needs the evaluation classifier, so it takes more than seconds).
    static var costly: Bool { get }
    /// Whether it needs the dataset's ground-truth factors (dSprites): never run by default,
    /// refused at its place when declared for a dataset without them.
    static var needsFactors: Bool { get }
    /// Reads its parameters (nil: every default).
    init(_ parameters: Fields?) throws(SpecError)
    func run(on run: TrainedRun, data: AnalysisData, pictures: String) throws(RunError) -> AnalysisRecord
}

extension Analysis {
    public static var costly: Bool { false }
    public static var needsFactors: Bool { false }

    /// Autoencoders: every kind with an encoder.
    static var autoencoders: [ModelSpec.Kind] { [.ae, .vae, .cvae, .hvae] }
    /// GANs and WGANs.
    static var adversarial: [ModelSpec.Kind] { [.gan, .wgan] }

    /// Why it does not apply to a model `kind`, or nil when it does.
    static func refusal(for kind: ModelSpec.Kind) -> String? {
        kinds.contains(kind) ? nil : "'\(name)' applies to \(kinds.map(\.rawValue).joined(separator: ", ")); this run is a \(kind.rawValue)"
    }
}

/// Every analysis GenLab has, and reading one by name.
public enum AnalysisCatalog {
    public static let all: [any Analysis.Type] = [Reconstructions.self, PriorSamples.self, LatentScatter.self, LatentGrid.self,
                                                  Traversal.self, Interpolation.self, Metrics.self, PosteriorFit.self,
                                                  Inversion.self, ActivationMaximisation.self, PCABaseline.self,
                                                  FrechetDistanceAnalysis.self, ClassifierScore.self, ModeCoverage.self, Memorisation.self,
                                                  MutualInformationGapAnalysis.self, FactorVAEScoreAnalysis.self,
                                                  BetaVAEScoreAnalysis.self, SAPAnalysis.self, DCIAnalysis.self]

    /// The numbers an analysis record measured: its integer and number attributes but the
    /// analysis's parameters and `step`.
    public static func measured(_ record: AnalysisRecord) -> [(name: String, value: Double, isInteger: Bool)] {
        let parameters = Set((all.first { $0.name == record.name }?.parameterNames ?? []) + ["step"])
        return record.attributes.compactMap { name, value in
            guard !parameters.contains(name) else { return nil }
            switch value {
            case .integer(let n): return (name, Double(n), true)
            case .number(let x): return (name, x, false)
            case .text: return nil
            }
        }
    }

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

    func bool(_ key: String, default fallback: Bool) throws(SpecError) -> Bool {
        guard let fields = self, let node = fields[key] else { return fallback }
        return try node.bool(fields.path(key))
    }

    func double(_ key: String, default fallback: Double, exclusiveMin: Double? = nil, max: Double? = nil) throws(SpecError) -> Double {
        guard let fields = self, let node = fields[key] else { return fallback }
        return try node.double(fields.path(key), exclusiveMin: exclusiveMin, max: max)
    }
}

extension TrainedRun {
    /// The autoencoder's view (the runner has checked that the analysis applies).
    func latentModel(for analysis: String) throws(RunError) -> LatentModel {
        guard let model = latentModel else { throw RunError(.analysis, "'\(analysis)' needs an autoencoder", path: path) }
        return model
    }

    /// The GAN or WGAN's view (the runner has checked that the analysis applies).
    func adversarial(for analysis: String) throws(RunError) -> AdversarialModel {
        guard let gan = generative as? AdversarialModel else { throw RunError(.analysis, "'\(analysis)' needs a GAN or WGAN", path: path) }
        return gan
    }

    /// A shape error of an analysis as a run error naming the file.
    func failure(_ analysis: String, _ error: ShapeError) -> RunError {
        RunError(.analysis, "'\(analysis)': \(error.message)", path: path)
    }
}
