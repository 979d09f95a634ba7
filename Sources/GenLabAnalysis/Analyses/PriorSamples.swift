import GenLabModels
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabTensor

/// `samples`: images generated from the prior, in evaluation mode, on the pixel scale: the
/// decoder of z ~ N(0, I) for an autoencoder (of the top level, z2, for a hierarchical VAE;
/// a row per class for a CVAE), G(z) for a GAN or WGAN; z seeded (002, 003).
public struct PriorSamples: Analysis {
    public static let name = "samples"
    public static let kinds = ModelSpec.Kind.allCases
    public static let parameterNames = ["count", "columns", "seed"]
    let count: Int
    let columns: Int
    let seed: Int

    public init(_ parameters: Fields?) throws(SpecError) {
        count = try parameters.int("count", default: 64, min: 1, max: 4096)
        columns = try parameters.int("columns", default: 8, min: 1, max: 256)
        seed = try parameters.int("seed", default: 0, min: 0)
    }

    public func run(on run: TrainedRun, data: AnalysisData, pictures: String) throws(RunError) -> AnalysisRecord {
        var generator = RandomGenerator(seed: UInt64(seed), stream: .priorSamples)
        let model = run.latentModel
        let classes = run.generative.classes
        // a CVAE or a conditional GAN: `columns` samples of each class, a row per class
        let n = classes > 0 ? classes * columns : count
        let level = (model?.latentSizes.count ?? 1) - 1
        let (pixels, z, noiseShape, labels) = try data.generated(n, generator: &generator, label: { Int32($0 / columns) }, run: run, analysis: Self.name)
        try data.picture(pixels, count: n, columns: columns, named: "samples.png", in: pictures)
        var record = AnalysisRecord(name: Self.name, attributes: [
            ("definition", .text(model == nil ? "G(z), z ~ N(0, I) seeded\(classes > 0 ? ", a row per class" : ""), evaluation mode, pixel scale [0, 1]"
                : "decoder of z ~ N(0, I) (seeded) of latent level \(level)\(classes > 0 ? ", a row per class" : ""), evaluation mode, pixel scale [0, 1]")),
            ("step", .integer(Int64(run.step))), ("count", .integer(Int64(n))), ("seed", .integer(Int64(seed)))],
            arrays: [StoredArray(name: "images", shape: [n] + run.experiment.dataset.imageShape, floats: pixels),
                     StoredArray(name: "z", shape: [n] + noiseShape, floats: z)])
        if classes > 0 { record.arrays.append(StoredArray(name: "labels", shape: [n], values: .int64(labels.map(Int64.init)))) }
        return record
    }
}
