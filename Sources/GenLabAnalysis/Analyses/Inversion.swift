import GenLabData
import GenLabModels
import GenLabNN
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabTensor

/// `inversion` (002, problem 2-4): for each of the first `count` test images, the z whose
/// G(z) is closest to it: z from 0, Adam (lr 1e-2, 500 steps) on the MSE of G(z) against the
/// images (the mean over the batch, as the notebook), the generator frozen in evaluation mode.
/// Per-image MSE (the mean over an image's elements, in the normalised space G generates in)
/// at z = 0 and at the end, the loss at each step, z and the images.
public struct Inversion: Analysis {
    public static let name = "inversion"
    public static let kinds = adversarial
    public static let costly = true
    public static let parameterNames = ["count", "steps", "lr", "columns"]
    let count: Int
    let search: LatentSearch
    let columns: Int

    public init(_ parameters: Fields?) throws(SpecError) {
        count = try parameters.int("count", default: 64, min: 1, max: 4096)
        search = try LatentSearch(parameters, steps: 500, lr: 1e-2)
        columns = try parameters.int("columns", default: 8, min: 1, max: 256)
    }

    /// The mean squared error of each image of `images` against the same image of `targets`.
    static func perImageMSE(_ images: Tensor, _ targets: Tensor) -> [Double] {
        let n = targets.shape.first ?? 0, size = n > 0 ? targets.count / n : 0
        return (0..<n).map { i in
            (0..<size).reduce(0.0) { sum, j in
                let d = Double(images[i * size + j] - targets[i * size + j])
                return sum + d * d
            } / Double(size)
        }
    }

    public func run(on run: TrainedRun, data: AnalysisData, pictures: String) throws(RunError) -> AnalysisRecord {
        let gan = try run.adversarial(for: Self.name)
        let test = try data.testImages(for: run, analysis: Self.name).prefix(count)
        let (targets, _) = data.batch(test)
        let z = Parameter(shape: [test.count] + (gan.sampleNoiseShape ?? []))
        let mse = MSELoss(reduction: .mean), grad = Tensor(zeros: [0])
        let start: [Double], end: [Double], trace: [Float], images: Tensor
        do {
            start = Inversion.perImageMSE(try gan.generate(z.value), targets)
            trace = try search.minimise([("z", z)]) { () throws(ShapeError) -> Float in
                let generated = try gan.generate(z.value)
                try mse.backward(generated, targets, into: grad)
                let gradZ = try gan.generatorGradient(grad)
                for i in 0..<z.grad.count { z.grad[i] += gradZ[i] }
                return try mse.forward(generated, targets)
            }
            images = try gan.generate(z.value).clone()
            end = Inversion.perImageMSE(images, targets)
        } catch {
            throw run.failure(Self.name, error)
        }
        // rows of targets, each above the row of their inversions
        let (x, y) = (data.pixels(targets), data.pixels(images)), size = x.count / max(test.count, 1)
        var shown: [Float] = []
        for row in stride(from: 0, to: test.count, by: columns) {
            let range = (row * size)..<(min(row + columns, test.count) * size)
            shown += x[range] + y[range]
        }
        try data.picture(shown, count: 2 * test.count, columns: columns, named: "inversion.png", in: pictures)
        let mean = { (values: [Double]) in values.reduce(0, +) / Double(max(values.count, 1)) }
        let shape = [test.count] + run.experiment.dataset.imageShape
        return AnalysisRecord(name: Self.name, attributes: [
            ("definition", .text("""
                the first \(test.count) test images: z from 0, Adam (lr \(search.lr), \(search.steps) steps) on the mean squared error of G(z) \
                against the images (one mean over the batch), generator frozen in evaluation mode; mse and mse_start: the mean over the images \
                of each image's mean squared error over its elements, at the end and at z = 0, in the normalised space G generates in; \
                loss: the batch MSE at each step before its update; picture: rows of targets, each above their inversions (pixel scale)
                """)),
            ("step", .integer(Int64(run.step))), ("count", .integer(Int64(test.count))), ("steps", .integer(Int64(search.steps))),
            ("lr", .number(search.lr)), ("mse_start", .number(mean(start))), ("mse", .number(mean(end)))],
            arrays: [StoredArray(name: "mse_per_image", shape: [test.count], floats: end.map(Float.init)),
                     StoredArray(name: "mse_start_per_image", shape: [test.count], floats: start.map(Float.init)),
                     StoredArray(name: "loss", shape: [trace.count], floats: trace),
                     StoredArray(name: "z", shape: z.value.shape, floats: z.value.values),
                     StoredArray(name: "targets", shape: shape, floats: x),
                     StoredArray(name: "images", shape: shape, floats: y)])
    }
}
