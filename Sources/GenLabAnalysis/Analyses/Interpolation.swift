import GenLabData
import GenLabModels
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabTensor

/// `interpolation`: decodings along the straight line between two codes, z = (1 − t)·a +
/// t·b for `steps` values of t from 0 to 1: between μ of test images `first` and `second`
/// for an autoencoder (002), between two seeded noise vectors for a GAN or WGAN.
public struct Interpolation: Analysis {
    public static let name = "interpolation"
    public static let kinds = ModelSpec.Kind.allCases
    public static let parameterNames = ["first", "second", "steps", "seed"]
    let first: Int
    let second: Int
    let steps: Int
    let seed: Int

    public init(_ parameters: Fields?) throws(SpecError) {
        first = try parameters.int("first", default: 0, min: 0)
        second = try parameters.int("second", default: 1, min: 0)
        steps = try parameters.int("steps", default: 10, min: 2, max: 256)
        seed = try parameters.int("seed", default: 0, min: 0)
    }

    public func run(on run: TrainedRun, data: AnalysisData, pictures: String) throws(RunError) -> AnalysisRecord {
        let ends: (a: [Float], b: [Float]), shape: [Int]
        if let model = run.latentModel {
            let test = try data.testImages(for: run, analysis: Self.name)
            guard max(first, second) < test.count else {
                throw RunError(.analysis, "'interpolation' images \(first) and \(second): the test set has \(test.count) images", path: run.path)
            }
            let (mu, k) = try data.means(test.subset([first, second]), model: model, run: run, analysis: Self.name)
            ends = (Array(mu[0..<k]), Array(mu[k...]))
            shape = [k]
        } else {
            shape = run.generative.sampleNoiseShape ?? []
            var generator = RandomGenerator(seed: UInt64(seed), stream: .interpolation)
            let noise = Tensor(zeros: [2] + shape)
            generator.fillNormal(noise.buffer)
            let values = noise.values, half = values.count / 2
            ends = (Array(values[..<half]), Array(values[half...]))
        }
        let ts = (0..<steps).map { Float($0) / Float(steps - 1) }
        let z = ts.flatMap { t in zip(ends.a, ends.b).map { (1 - t) * $0 + t * $1 } }
        let images: [Float]
        if let model = run.latentModel {
            images = try data.decoded(z, model: model, run: run, analysis: Self.name)
        } else {
            do {
                images = data.pixels(try run.generative.samples(holdout: Tensor(zeros: [0]), noise: try Tensor(shape: [steps] + shape, values: z)))
            } catch {
                throw run.failure(Self.name, error)
            }
        }
        try data.picture(images, count: steps, columns: steps, named: "interpolation.png", in: pictures)
        let between = run.latentModel == nil ? "two noise vectors z ~ N(0, I) (seed \(seed))" : "μ of test images \(first) and \(second)"
        return AnalysisRecord(name: Self.name, attributes: [
            ("definition", .text("z = (1 − t)·a + t·b between \(between), t from 0 to 1 in \(steps) steps; decoded in evaluation mode, pixel scale")),
            ("step", .integer(Int64(run.step))), ("steps", .integer(Int64(steps)))],
            arrays: [StoredArray(name: "t", shape: [steps], floats: ts), StoredArray(name: "z", shape: [steps] + shape, floats: z),
                     StoredArray(name: "images", shape: [steps] + run.experiment.dataset.imageShape, floats: images)])
    }
}
