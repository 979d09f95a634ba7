import Foundation
import GenLabAnalysis
import GenLabModels
import GenLabNN
import GenLabReport
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabSweeps
import GenLabTestSupport
import GenLabTraining
import Testing

/// Model state through a run file and back, and what a kill during a checkpoint leaves.
@Suite struct CheckpointTests {
    static func folder() throws -> String {
        try TestFolder.make("runner").path
    }

    static func experiment(_ name: String, seed: Int) throws -> Experiment {
        let path = Repository.root.appendingPathComponent("experiments/\(name).yaml").path
        var e = try Experiment.load(path: path).points()[0].experiment
        e.seed = UInt64(seed)
        return e
    }

    static let metadata = RunMetadata(experiment: "x", runID: "base-00000000", status: .running, configYAML: "",
                                      sweepPoint: "", genlabVersion: "test", startedAt: "2026-11-21T00:00:00Z")

    /// Weights, BatchNorm statistics and counters, Adam moments and RNG state survive the
    /// round trip into a model built with a different seed.
    @Test(arguments: ["lab-dcgan", "arena-conv-vae"])
    func stateRoundTripsIntoAFreshModel(_ name: String) throws {
        let model = try BuiltModel(try CheckpointTests.experiment(name, seed: 1))
        let optimizers: [String: Optimizer] = Dictionary(uniqueKeysWithValues: model.networks.map { built in
            (built.name, Adam(built.network.parameters, lr: 1e-3) as Optimizer)
        })
        // give the optimizers and BatchNorms some state
        for built in model.networks {
            for p in built.network.parameters { p.parameter.grad.fill(0.01) }
            for layer in built.network.layers { if let norm = layer as? BatchNorm { norm.numBatchesTracked = 17; norm.runningVar.fill(2) } }
        }
        for optimizer in optimizers.values { optimizer.step() }
        var noise = RandomGenerator(seed: 99)
        _ = noise.nextUInt32()
        let path = try CheckpointTests.folder() + "/run.h5"
        let state = RunCheckpoint.capture(model, optimizers: optimizers, rng: ["noise": noise], progress: RunProgress(step: 1, epoch: 0, batch: 1))
        try RunFile.commit(path: path, metadata: CheckpointTests.metadata, state: state)

        let fresh = try BuiltModel(try CheckpointTests.experiment(name, seed: 2))
        let freshOptimizers: [String: Optimizer] = Dictionary(uniqueKeysWithValues: fresh.networks.map { built in
            (built.name, Adam(built.network.parameters, lr: 1e-3) as Optimizer)
        })
        #expect(fresh.networks[0].network.parameters[0].parameter.value.values != model.networks[0].network.parameters[0].parameter.value.values)
        let stored = try #require(try RunFile.read(path: path).state)
        let generators = try RunCheckpoint.restore(stored, into: fresh, optimizers: freshOptimizers, path: path)
        #expect(generators["noise"] == noise)
        for (a, b) in zip(model.networks, fresh.networks) {
            #expect(a.network.parameters.map { $0.parameter.value.values } == b.network.parameters.map { $0.parameter.value.values })
            #expect(a.network.buffers.map { $0.tensor.values } == b.network.buffers.map { $0.tensor.values })
            let counts = { (n: Sequential) in n.layers.compactMap { ($0 as? BatchNorm)?.numBatchesTracked } }
            #expect(counts(a.network) == counts(b.network))
            #expect(optimizers[a.name]?.state == freshOptimizers[b.name]?.state)
        }
    }

    @Test func weightsThatDoNotFitAreATypedError() throws {
        let model = try BuiltModel(try CheckpointTests.experiment("arena-conv-ae", seed: 0))
        let path = try CheckpointTests.folder() + "/run.h5"
        try RunFile.commit(path: path, metadata: CheckpointTests.metadata,
                           state: RunCheckpoint.capture(model, optimizers: [:], rng: [:], progress: RunProgress(step: 0, epoch: 0, batch: 0)))
        let other = try BuiltModel(try CheckpointTests.experiment("arena-conv-vae", seed: 0))
        let stored = try #require(try RunFile.read(path: path).state)
        #expect(throws: RunError.self) { try RunCheckpoint.restore(stored, into: other, optimizers: [:], path: path) }
    }

    /// A process committing checkpoints in a loop is killed (SIGKILL) at random moments;
    /// each time, the run file is a complete earlier version: consistent weights, history
    /// and progress.
    @Test func killDuringCheckpointLeavesACompleteFile() throws {
        let writer = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("checkpoint-writer").path
        #expect(FileManager.default.isExecutableFile(atPath: writer), "\(writer) not built")
        let path = try CheckpointTests.folder() + "/run.h5"
        var generator = RandomGenerator(seed: 4)
        for _ in 0..<8 {
            try? FileManager.default.removeItem(atPath: path)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: writer)
            process.arguments = [path]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            // wait for the first commit, then a random moment more
            let deadline = Date().addingTimeInterval(20)
            while !FileManager.default.fileExists(atPath: path), Date() < deadline {
                Thread.sleep(forTimeInterval: 0.005)
            }
            Thread.sleep(forTimeInterval: Double(generator.nextUniform()) * 0.3)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let contents = try RunFile.read(path: path)
            let state = try #require(contents.state)
            let version = state.progress.step
            #expect(version >= 1)
            #expect(contents.metadata.runID == "v\(version)")
            #expect(state.weights["net"]?.first?.floats?.allSatisfy { $0 == Float(version) } == true)
            #expect(contents.history.steps == Array(1...version))
            #expect(contents.history.columns["loss"] == (1...version).map(Float.init))
        }
    }
}
