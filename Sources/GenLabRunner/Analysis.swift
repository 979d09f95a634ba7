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

/// What analyses read besides the run: its dataset (loaded when first needed).
public final class AnalysisData {
    let spec: DatasetSpec
    let datasets: DatasetCache
    let path: String

    init(spec: DatasetSpec, datasets: DatasetCache, path: String) {
        self.spec = spec
        self.datasets = datasets
        self.path = path
    }

    /// The dataset of the run's configuration.
    func dataset() throws(RunError) -> Dataset { try datasets.dataset(spec) }

    /// `images` as one normalised batch (with their labels).
    func batch(_ images: ImageSet) -> (images: Tensor, labels: [Int32]) {
        let loader = BatchLoader(images: images, batchSize: max(images.count, 1), dropLast: false, shuffle: false, seed: 0,
                                 normalization: spec.normalization)
        loader.load(epoch: 0, index: 0)
        return (loader.batch.clone(), loader.labels)
    }

    /// μ of q(z|x) (the lowest level) of `images`, encoded 512 at a time in evaluation mode:
    /// N × K values and K.
    func means(_ images: ImageSet, model: LatentModel, run: TrainedRun, analysis: String) throws(RunError) -> (mu: [Float], k: Int) {
        var mu: [Float] = []
        for start in stride(from: 0, to: images.count, by: 512) {
            let (batch, labels) = self.batch(images.subset(Array(start..<min(start + 512, images.count))))
            do { mu += try model.encode(batch, labels: labels)[0].mu.values } catch { throw run.failure(analysis, error) }
        }
        return (mu, images.count > 0 ? mu.count / images.count : 0)
    }

    /// The dataset's test images (the training images when it has none is not allowed: an
    /// error naming the run file).
    func testImages(for run: TrainedRun, analysis: String) throws(RunError) -> ImageSet {
        let test = try dataset().test
        guard test.count > 0 else {
            throw RunError(.analysis, "'\(analysis)' needs test images; the dataset has none", path: run.path)
        }
        return test
    }

    /// The images decoded from the latents `z` (rows of the lowest level) in evaluation mode,
    /// on the pixel scale; a CVAE decodes with label 0.
    func decoded(_ z: [Float], model: LatentModel, run: TrainedRun, analysis: String) throws(RunError) -> [Float] {
        let k = model.latentSizes[0], n = z.count / max(k, 1)
        do {
            let images = try model.decode(try Tensor(shape: [n, k], values: z), labels: model.classes > 0 ? [Int32](repeating: 0, count: n) : [], level: 0)
            return pixels(images)
        } catch {
            throw run.failure(analysis, error)
        }
    }

    /// Normalised images back on the pixel scale [0, 1].
    func pixels(_ images: Tensor) -> [Float] {
        PixelTransform(spec.normalization, channels: spec.imageShape[0]).pixelScale(images)
    }

    /// Writes `images` (pixel scale) as a grid PNG named `name` in `folder`.
    func picture(_ images: [Float], count: Int, columns: Int, named name: String, in folder: String) throws(RunError) {
        let grid = ImageGrid(images: images, shape: [count] + spec.imageShape, columns: columns)
        do { try grid.writePNG(to: "\(folder)/\(name)") } catch { throw RunError(error) }
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
