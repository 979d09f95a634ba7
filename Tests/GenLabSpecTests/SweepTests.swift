import GenLabNN
import GenLabSpec
import Testing

/// Sweep expansion: grid × zip × points × random, stable run ids, seeded random search.
@Suite struct SweepTests {
    static let base = """
    name: sweep-test
    seed: 0
    dataset: {name: fashion-mnist}
    model:
      kind: vae
      latent: 4
      beta: 1
      encoder: [flatten, {linear: {out: 8}}, relu]
      decoder: mirror
    train:
      batch_size: 32
      optimizer: {adam: {lr: 1.0e-3}}

    """

    static func points(_ sweep: String) throws -> [ExperimentPoint] {
        try Experiment.parse(base + sweep, file: "sweep.yaml").points()
    }

    @Test func withoutSweepThereIsOnePoint() throws {
        let points = try SweepTests.points("")
        #expect(points.count == 1)
        #expect(points[0].overrides.isEmpty && points[0].runID.hasPrefix("base-"))
    }

    @Test func gridTimesZipTimesRandom() throws {
        let points = try SweepTests.points("""
        sweep:
          grid:
            model.beta: [0, 0.1, 10]
            seed: [0, 1]
          zip:
            model.latent: [2, 8]
            train.batch_size: [16, 64]
          random:
            count: 3
            seed: 7
            keys:
              train.optimizer.adam.lr: {log_uniform: [1.0e-4, 1.0e-2]}
        """)
        #expect(points.count == 3 * 2 * 2 * 3)
        #expect(Set(points.map(\.runID)).count == points.count)
        let first = points[0].experiment
        #expect(first.model.autoencoder?.beta == 0 && first.seed == 0 && first.model.latent == 2 && first.train.batchSize == 16)
        let last = points.last!.experiment
        #expect(last.model.autoencoder?.beta == 10 && last.seed == 1 && last.model.latent == 8 && last.train.batchSize == 64)
        for point in points {
            guard case .adam(let lr, _, _, _)? = point.experiment.train.optimizers["model"] else {
                Issue.record("no adam")
                continue
            }
            #expect(lr >= 1e-4 && lr <= 1e-2)
        }
        // the zip pairs its lists row by row
        #expect(points.allSatisfy { ($0.experiment.model.latent == 2) == ($0.experiment.train.batchSize == 16) })
    }

    @Test func pointsAreAFactorToo() throws {
        let points = try SweepTests.points("""
        sweep:
          grid: {seed: [0, 1]}
          points:
            - {model.beta: 0.5, model.latent: 3}
            - {model.beta: 2}
        """)
        #expect(points.count == 4)
        #expect(points.map { $0.experiment.model.autoencoder!.beta } == [0.5, 2, 0.5, 2])
        #expect(points.map(\.experiment.model.latent) == [3, 4, 3, 4])
    }

    @Test func runIDsAreStableAndDependOnTheConfiguration() throws {
        let sweep = "sweep:\n  grid: {model.beta: [0.1, 1]}\n"
        let a = try SweepTests.points(sweep).map(\.runID)
        let b = try SweepTests.points(sweep).map(\.runID)
        #expect(a == b)
        #expect(a[0].hasPrefix("beta=0.1-") && a[1].hasPrefix("beta=1-"))
        // The hash covers the whole resolved configuration, not only the overrides…
        let changed = try Experiment.parse(SweepTests.base.replacingOccurrences(of: "batch_size: 32", with: "batch_size: 64") + sweep,
                                           file: "other.yaml").points().map(\.runID)
        #expect(changed[0] != a[0] && changed[0].hasPrefix("beta=0.1-"))
        // …but not how numbers or the file are written.
        let rewritten = try Experiment.parse("# a comment\n" + SweepTests.base.replacingOccurrences(of: "lr: 1.0e-3", with: "lr: 0.001") + sweep,
                                             file: "again.yaml").points().map(\.runID)
        #expect(rewritten == a)
    }

    @Test func randomSearchIsDeterminedByItsSeed() throws {
        func values(seed: Int) throws -> [String] {
            try SweepTests.points("""
            sweep:
              random:
                count: 6
                seed: \(seed)
                keys:
                  model.beta: {uniform: [0, 4]}
                  model.latent: {int_uniform: [2, 9]}
                  train.optimizer.adam.lr: {choice: [1.0e-3, 3.0e-4]}
            """).map { $0.overrides.map(\.value.compactText).joined(separator: " ") }
        }
        let a = try values(seed: 1), b = try values(seed: 1), c = try values(seed: 2)
        #expect(a == b)
        #expect(a != c)
        let points = try SweepTests.points("""
        sweep:
          random:
            count: 50
            seed: 3
            keys:
              model.latent: {int_uniform: [2, 4]}
              model.beta: {uniform: [0.5, 1.5]}
        """)
        #expect(Set(points.map(\.experiment.model.latent)) == [2, 3, 4])
        #expect(points.allSatisfy { (0.5...1.5).contains($0.experiment.model.autoencoder!.beta) })
    }

    @Test func sweepValuesAreCheckedLikeFileValues() {
        #expect(throws: SpecError.self) { try SweepTests.points("sweep:\n  grid: {model.latent: [0]}\n") }
        #expect(throws: SpecError.self) { try SweepTests.points("sweep:\n  grid: {model.encoder.9.linear.out: [3]}\n") }
        #expect(throws: SpecError.self) { try SweepTests.points("sweep:\n  grid: {sweep.parallel: [3]}\n") }
        #expect(throws: SpecError.self) { try SweepTests.points("sweep:\n  grid: {model.beta: [1, 1.0]}\n") }
    }

    @Test func listIndicesReachIntoLayers() throws {
        let points = try SweepTests.points("sweep:\n  grid: {model.encoder.1.linear.out: [16, 32]}\n")
        #expect(points.count == 2 && points[1].runID.hasPrefix("out=32-"))
        let layer = try #require(points[1].experiment.model.autoencoder?.encoder[1].kind as? Linear.Kind)
        #expect(layer.out == 32)
    }

    /// `genlab run --set key=value`: applied to the base configuration (the sweep stays),
    /// errors located in the argument.
    @Test func commandLineOverrides() throws {
        let experiment = try Experiment.parse(SweepTests.base + "sweep:\n  grid: {seed: [0, 1]}\n", file: "s.yaml")
        let changed = try experiment.overriding([try Override.commandLine("model.beta=0.25")])
        let changedPoints = try changed.points()
        #expect(changed.model.autoencoder?.beta == 0.25 && changedPoints.count == 2)
        do {
            _ = try experiment.overriding([try Override.commandLine("model.beta=-1")])
            Issue.record("a negative β was accepted")
        } catch {
            #expect(error.description == "--set model.beta=-1:1:12: --set value model.beta=-1: 'model.beta' must be at least 0, found -1")
        }
        #expect(throws: SpecError.self) { try Override.commandLine("no-equals-sign") }
        let longer = try experiment.training(for: .steps(7))
        #expect(longer.train.length == .steps(7) && longer.sweep != nil)
        let longerID = try longer.points()[0].runID, baseID = try experiment.points()[0].runID
        #expect(longerID != baseID)
    }
}
