import GenLabData
import GenLabModels
import GenLabNN
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabTensor

/// `activation_maximisation` (002, problem 2-4): the images of G the opponent finds most real.
/// `count` codes z ~ N(0, I) (seeded), Adam (lr 1e-2, 500 steps) on the generator's own loss
/// of G(z) — a GAN's BCE of D(G(z)) against "real", a WGAN's −mean critic score — with both
/// networks frozen in evaluation mode.
public struct ActivationMaximisation: Analysis {
    public static let name = "activation_maximisation"
    public static let kinds = adversarial
    public static let costly = true
    public static let parameterNames = ["count", "steps", "lr", "columns", "seed"]
    let count: Int
    let search: LatentSearch
    let columns: Int
    let seed: Int

    public init(_ parameters: Fields?) throws(SpecError) {
        count = try parameters.int("count", default: 64, min: 1, max: 4096)
        search = try LatentSearch(parameters, steps: 500, lr: 1e-2)
        columns = try parameters.int("columns", default: 8, min: 1, max: 256)
        seed = try parameters.int("seed", default: 0, min: 0)
    }

    /// The generator's loss of each image of G(z) alone (a conditional model's image i with
    /// label i mod classes, as in the batch).
    static func perImageLoss(_ gan: AdversarialModel, _ z: Tensor) throws(ShapeError) -> [Float] {
        let n = z.shape.first ?? 0, size = n > 0 ? z.count / n : 0
        let one = Tensor(zeros: [1] + z.shape.dropFirst()), labels = gan.sampleLabels(count: n)
        return try (0..<n).map { (i: Int) throws(ShapeError) -> Float in
            one.data.update(from: z.data + i * size, count: size)
            return try gan.generatorLoss(try gan.generate(one, labels: [labels[i]])).loss
        }
    }

    public func run(on run: TrainedRun, data: AnalysisData, pictures: String) throws(RunError) -> AnalysisRecord {
        let gan = try run.adversarial(for: Self.name)
        let z = Parameter(shape: [count] + (gan.sampleNoiseShape ?? []))
        var generator = RandomGenerator(seed: UInt64(seed), stream: .activationMaximisation)
        generator.fillNormal(z.value.buffer)
        let start = z.value.clone()
        let before: [Float], after: [Float], trace: [Float], images: Tensor
        do {
            before = try ActivationMaximisation.perImageLoss(gan, z.value)
            trace = try search.minimise([("z", z)]) { () throws(ShapeError) -> Float in
                let (loss, gradFake) = try gan.generatorLoss(try gan.generate(z.value))
                let gradZ = try gan.generatorGradient(gradFake)
                for i in 0..<z.grad.count { z.grad[i] += gradZ[i] }
                return loss
            }
            after = try ActivationMaximisation.perImageLoss(gan, z.value)
            images = try gan.generate(z.value).clone()
        } catch {
            throw run.failure(Self.name, error)
        }
        let pixels = data.pixels(images)
        try data.picture(pixels, count: count, columns: columns, named: "activation_maximisation.png", in: pictures)
        let mean = { (values: [Float]) in Double(values.reduce(0, +)) / Double(max(values.count, 1)) }
        let opponent = run.experiment.model.kind == .wgan ? "−critic score"
            : ["hinge": "−D(G(z))", "least_squares": "½·(D(G(z)) − 1)²"][run.experiment.model.adversarial?.loss.rawValue ?? ""]
            ?? "BCE of D(G(z)) against 1 (real)"
        return AnalysisRecord(name: Self.name, attributes: [
            ("definition", .text("""
                \(count) codes z ~ N(0, I) (seeded) moved by Adam (lr \(search.lr), \(search.steps) steps) to minimise the generator's loss \
                (\(opponent), the mean over the batch), both networks frozen in evaluation mode; loss_start and loss: the mean over the images \
                of each image's loss alone, before and after; loss_trace: the batch loss at each step before its update; images on the pixel scale
                """)),
            ("step", .integer(Int64(run.step))), ("count", .integer(Int64(count))), ("steps", .integer(Int64(search.steps))),
            ("lr", .number(search.lr)), ("seed", .integer(Int64(seed))), ("loss_start", .number(mean(before))), ("loss", .number(mean(after)))],
            arrays: [StoredArray(name: "loss_start_per_image", shape: [count], floats: before),
                     StoredArray(name: "loss_per_image", shape: [count], floats: after),
                     StoredArray(name: "loss_trace", shape: [trace.count], floats: trace),
                     StoredArray(name: "z_start", shape: start.shape, floats: start.values),
                     StoredArray(name: "z", shape: z.value.shape, floats: z.value.values),
                     StoredArray(name: "images", shape: [count] + run.experiment.dataset.imageShape, floats: pixels)])
    }
}
