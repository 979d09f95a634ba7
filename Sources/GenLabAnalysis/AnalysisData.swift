import GenLabData
import GenLabModels
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabTensor

/// What analyses read besides the run: its dataset (loaded when first needed).
public final class AnalysisData {
    let spec: DatasetSpec
    let datasets: DatasetCache
    private var trainedClassifier: TrainedClassifier?
    var scores: [String: ClassifierScores] = [:]
    /// μ of the grid images encoded so far (datasets with factors).
    private var knownGridMeans: GridMeans?

    init(spec: DatasetSpec, datasets: DatasetCache) {
        self.spec = spec
        self.datasets = datasets
    }

    /// The dataset of the run's configuration.
    func dataset() throws(RunError) -> Dataset { try datasets.dataset(spec) }

    /// The μ of grid images shared by the run's disentanglement analyses.
    func gridMeans(count: Int) -> GridMeans {
        if let knownGridMeans { return knownGridMeans }
        let made = GridMeans(gridCount: count)
        knownGridMeans = made
        return made
    }

    /// `images` as one normalised batch (with their labels).
    func batch(_ images: ImageSet) -> (images: Tensor, labels: [Int32]) {
        BatchLoader.whole(images, normalization: spec.normalization)
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
        let path = "\(folder)/\(name)"
        do { try ImageGrid(images: images, shape: [count] + spec.imageShape, columns: columns).writePNG(to: path) } catch {
            throw RunError(DataError(error.reason, error.message, path: path))
        }
    }

    /// GenLab's evaluation classifier of the dataset (trained into the cache the first time).
    func classifier() throws(RunError) -> TrainedClassifier {
        if let trainedClassifier { return trainedClassifier }
        let trained = try TrainedClassifier.load(spec, datasets: datasets) { print($0) }
        trainedClassifier = trained
        return trained
    }

    /// `count` images generated from the prior on the pixel scale, 500 at a time: the decoder
    /// of z ~ N(0, I) (of the top level for a hierarchical VAE), or G(z); a CVAE's or a
    /// conditional GAN's labels from `label`; z drawn from `generator`. Returns the images, z
    /// and the labels used.
    func generated(_ count: Int, generator: inout RandomGenerator, label: (Int) -> Int32, run: TrainedRun,
                   analysis: String) throws(RunError) -> (pixels: [Float], z: [Float], noiseShape: [Int], labels: [Int32]) {
        let model = run.latentModel
        let classes = run.generative.classes
        let level = (model?.latentSizes.count ?? 1) - 1
        let noiseShape = model.map { [$0.latentSizes[level]] } ?? run.generative.sampleNoiseShape ?? []
        let labels = classes > 0 ? (0..<count).map(label) : []
        // the decoder of a latent model, else G
        let generate: (Tensor, [Int32]) throws(ShapeError) -> Tensor
        if let model {
            generate = { (noise, chunk) throws(ShapeError) in try model.decode(noise, labels: chunk, level: level) }
        } else {
            let gan = try run.adversarial(for: analysis)
            generate = { (noise, chunk) throws(ShapeError) in try gan.generate(noise, labels: classes > 0 ? chunk : nil) }
        }
        var pixels: [Float] = [], z: [Float] = []
        for start in stride(from: 0, to: count, by: 500) {
            let n = min(500, count - start)
            let noise = Tensor(zeros: [n] + noiseShape)
            generator.fillNormal(noise.buffer)
            do throws(ShapeError) {
                let chunk = Array(labels[min(start, labels.count)..<min(start + n, labels.count)])
                pixels += self.pixels(try generate(noise, chunk))
            } catch {
                throw run.failure(analysis, error)
            }
            z += noise.values
        }
        return (pixels, z, noiseShape, labels)
    }
}
