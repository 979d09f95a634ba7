import Foundation
import GenLabAnalysis
import GenLabData
import GenLabReport
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabSweeps
import GenLabTestSupport
import GenLabTraining
import Testing

/// Every experiment file trains end to end on a small subset for a few steps (the CIFAR
/// and CelebA files on tiny generated datasets) and its run file holds what it should.
@Suite struct EndToEndTests {
    static let files = Repository.files(in: "experiments", ext: "yaml").map { $0.deletingPathExtension().lastPathComponent }

    @Test(arguments: files)
    func experimentRunsAndRecords(_ name: String) throws {
        var overrides = ["train.batch_size=16", "record.losses_every=1", "record.samples={every: 2, count: 4}",
                         "record.checkpoint={every: 3}"]
        switch name {
        case "homework-dcgan-cifar": overrides.append("dataset={name: cifar10, path: \(try RunHarness.tinyCIFAR())}")
        case "celeba-dcgan": overrides += ["dataset.path=\(try RunHarness.tinyFaces())", "train.batch_size=8"]
        default: overrides.append("dataset.subset=64")
        }
        let base = try RunHarness.point(name, overrides, length: .steps(1))
        let isAutoencoder = base.experiment.model.kind.isAutoencoder
        if isAutoencoder { overrides.append("record.latents={every: epoch, count: 20}") }
        let batches = name == "celeba-dcgan" ? 3 : (name == "homework-dcgan-cifar" ? 5 : 4)
        let point = try RunHarness.point(name, overrides, length: .steps(batches + 1))
        let results = try RunHarness.folder("e2e")
        let (outcome, contents) = try RunHarness.run(point, results: results)
        #expect(outcome == .completed)
        #expect(contents.metadata.status == .completed && contents.metadata.runID == point.runID)
        #expect(contents.metadata.configYAML == point.resolvedYAML)
        #expect(contents.history.steps == (1...Int64(batches + 1)).map { $0 })
        #expect(contents.history.epochs.last == 1)
        for (column, values) in contents.history.columns {
            // validation columns hold NaN in the rows between validations, a number at the end
            #expect(column.hasPrefix("validation.") ? values.last?.isFinite == true : values.allSatisfy { $0.isFinite }, "\(column)")
        }
        let state = try #require(contents.state)
        #expect(state.progress.step == Int64(batches + 1))
        #expect(Set(state.weights.keys).isSuperset(of: isAutoencoder ? ["encoder", "decoder"] : ["generator"]))
        let finite = state.weights.values.allSatisfy { arrays in arrays.allSatisfy { $0.floats?.allSatisfy { $0.isFinite } ?? true } }
        #expect(finite)
        // every 2 steps, and the final weights
        let expectedSamples = Array(stride(from: 2, through: batches + 1, by: 2)) + ((batches + 1) % 2 == 1 ? [batches + 1] : [])
        #expect(contents.samples.map(\.step) == expectedSamples)
        let image = base.experiment.dataset.imageShape
        // an autoencoder reconstructs its holdout images (dSprites: one per shape, 3)
        let holdout = DatasetLoader.holdout(try DatasetLoader.load(point.experiment.dataset).dataset, point.experiment.dataset.holdout).count
        #expect(contents.samples.first?.images.shape == [isAutoencoder ? min(4, holdout) : 4] + image)
        if isAutoencoder {
            // the end of epoch 1, and the final weights (a step into epoch 2)
            #expect(contents.latents.map(\.step) == [batches, batches + 1])
            #expect(contents.latents.map(\.epoch) == [0, 1])
            #expect(contents.latents.first?.mu.shape == [20, base.experiment.model.latent])
        }
        // the analyses the file declares run on what it trained
        let declared = try AnalysisRunner.declared(point.experiment.analysis, kind: point.experiment.model.kind)
        // a pruned sweep's points are compared by their validation loss, not analysed
        #expect(!declared.names.isEmpty || base.experiment.record.validation != nil, "\(name) declares no analyses")
        let path = "\(results)/\(point.experiment.name)/\(point.runID)/run.h5"
        // the searches and fits shortened, as `--set` would
        var parameters = declared.parameters
        for kind in AnalysisCatalog.all where declared.names.contains(kind.name) && parameters[kind.name] == nil {
            let short = [("steps", "3"), ("count", "4"), ("num_train", "20"), ("num_eval", "10"), ("num_test", "10"),
                         ("num_variance_estimate", "50"), ("batch_size", "4")].filter { kind.parameterNames.contains($0.0) }.map { "\($0.0): \($0.1)" }
            if !short.isEmpty { parameters[kind.name] = try YAMLNode.parse(short.joined(separator: "\n"), file: kind.name) }
        }
        let done = try AnalysisRunner.run(declared.names, parameters: parameters, on: path, datasets: DatasetCache())
        #expect(done == declared.names)
        #expect(try RunFile.readAnalyses(path: path).map(\.name).sorted() == declared.names.sorted())
        if name == "celeba-dcgan" {
            // an image folder has no test split: what needs test images says so, naming the file
            let error = try #require(throws: RunError.self) { try AnalysisRunner.run(["inversion"], on: path, datasets: DatasetCache()) }
            #expect(error.description == "\(path): 'inversion' needs test images; the dataset has none", "\(error.description)")
        }
    }
}
