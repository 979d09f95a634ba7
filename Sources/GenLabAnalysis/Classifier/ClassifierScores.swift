import GenLabData
import GenLabModels
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabTensor

/// Which generated and test images a generator score looks at: `count` of each (10,000 by
/// default), z seeded by `seed`; the parameters `fd`, `classifier_score` and `mode_coverage` share.
struct ScoredSample {
    let count: Int
    let seed: Int

    init(_ parameters: Fields?) throws(SpecError) {
        count = try parameters.int("count", default: 10_000, min: 2, max: 1_000_000)
        seed = try parameters.int("seed", default: 0, min: 0)
    }

    init(count: Int, seed: Int) {
        self.count = count
        self.seed = seed
    }
}

/// What the generator scores share: the classifier, and its view of N generated images and
/// of N test images.
struct ClassifierScores {
    let classifier: TrainedClassifier
    let generatedFeatures: [Float]
    let generatedProbabilities: [Float]
    let testFeatures: [Float]
    let testProbabilities: [Float]
    let testCount: Int

    /// The kinds of model the scores apply to: those that generate from a prior.
    static let kinds: [ModelSpec.Kind] = [.vae, .cvae, .hvae, .gan, .wgan]

    /// The attribute naming the classifier, and its accuracy.
    var attributes: [(name: String, value: AnalysisRecord.Value)] {
        [("classifier", .text(classifier.description)), ("classifier_test_accuracy", .number(classifier.testAccuracy)),
         ("classifier_file", .text(classifier.path))]
    }
}

extension AnalysisData {
    /// The classifier's features and probabilities of `count` generated images (z seeded by
    /// `seed`; a CVAE's labels cycling over the classes) and of the first `count` test images;
    /// computed once per run for the analyses that share them.
    func scores(_ sample: ScoredSample, run: TrainedRun, analysis: String) throws(RunError) -> ClassifierScores {
        let (count, seed) = (sample.count, sample.seed)
        let key = "\(count)-\(seed)"
        if let known = scores[key] { return known }
        let trained = try classifier()
        let reference = trained.dataset.test.count > 0 ? trained.dataset.test : trained.dataset.train
        let test = reference.prefix(count)
        let classes = run.latentModel?.classes ?? 0
        var generator = RandomGenerator(seed: UInt64(seed), stream: .generatorScores)
        let images = try generated(count, generator: &generator, label: { Int32($0 % max(classes, 1)) }, run: run, analysis: analysis)
        let evaluation = ClassifierEvaluation(trained.classifier, path: trained.path)
        var generatedFeatures: [Float] = [], generatedProbabilities: [Float] = []
        let size = spec.imageShape.reduce(1, *)
        for start in stride(from: 0, to: count, by: 500) {
            let n = min(500, count - start)
            let batch: Tensor
            do { batch = try Tensor(shape: [n] + spec.imageShape, values: Array(images.pixels[(start * size)..<((start + n) * size)])) } catch {
                throw run.failure(analysis, error)
            }
            let (f, p) = try evaluation.run(batch)
            generatedFeatures += f
            generatedProbabilities += p
        }
        let (testFeatures, testProbabilities) = try evaluation.run(test)
        let result = ClassifierScores(classifier: trained, generatedFeatures: generatedFeatures,
                                      generatedProbabilities: generatedProbabilities, testFeatures: testFeatures,
                                      testProbabilities: testProbabilities, testCount: test.count)
        scores[key] = result
        return result
    }
}
