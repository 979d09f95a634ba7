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

/// The command line changes a sweep (`--set sweep.…`) and selects its points (`--where`).
@Suite struct SweepCommandLineTests {
    static let sweep = "sweep:\n  parallel: 2\n  grid:\n    model.beta: [0, 0.1, 1]\n    seed: [0, 1]\n"

    static func changed(_ sets: [String]) throws -> Experiment {
        try Experiment.parse(SweepTests.base + sweep, file: "sweep.yaml").overriding(try sets.map(Override.commandLine))
    }

    @Test func setNarrowsTheSweepAndKeepsItsRunIDs() throws {
        let all = try SweepCommandLineTests.changed([]).points()
        let narrowed = try SweepCommandLineTests.changed(["sweep.grid.seed=[0]"]).points()
        #expect(all.count == 6 && narrowed.count == 3)
        // the narrowed sweep's points are the full sweep's points with seed 0, same run ids
        #expect(narrowed.map(\.runID) == all.filter { $0.overrides.contains { $0.key == "seed" && $0.value.compactText == "0" } }.map(\.runID))
        let widened = try SweepCommandLineTests.changed(["sweep.grid.model.beta=[2, 4]", "sweep.parallel=3"])
        #expect(widened.sweep?.parallel == 3)
        #expect(try widened.points().map { $0.experiment.model.autoencoder!.beta } == [2, 2, 4, 4])
        // a sweep added to a file without one, and one replaced whole
        let added = try Experiment.parse(SweepTests.base, file: "x.yaml").overriding([try Override.commandLine("sweep.zip.model.latent=[2, 3]")])
        #expect(try added.points().map(\.experiment.model.latent) == [2, 3])
        #expect(try SweepCommandLineTests.changed(["sweep={points: [{seed: 5}]}"]).points().map(\.experiment.seed) == [5])
    }

    @Test(arguments: [
        ("sweep.grid.bogus=[0]", "--set key 'bogus' does not exist in the experiment"),
        ("sweep.bogus=1", "unknown key 'bogus'"),
        ("sweep.grid.seed=[]", "is empty"),
        ("sweep.parallel=0", "'sweep.parallel' must be at least 1"),
        ("sweep.grid.seed=3", "must be a list of values"),
    ])
    func badSweepChangesAreErrorsAtTheOption(_ text: String, _ message: String) throws {
        let error = try #require(throws: SpecError.self) { try SweepCommandLineTests.changed([text]).points() }
        #expect(error.description.hasPrefix("--set \(text):1:"), "\(error.description)")
        #expect(error.message.contains(message), "\(error.message)")
    }

    @Test func whereSelectsBySweptValue() throws {
        let points = try SweepCommandLineTests.changed([]).points()
        let select = { (texts: [String]) throws(SpecError) in
            try PointFilter.select(points, try texts.map(PointFilter.commandLine)).map(\.runID)
        }
        // 1e-1 and 0.1 are the same number
        #expect(try select(["model.beta=1e-1"]).count == 2)
        #expect(try select(["model.beta=0.1", "seed=1"]) == [points[3].runID])
        let notSwept = try #require(throws: SpecError.self) { try select(["model.latent=4"]) }
        #expect(notSwept.message == "'model.latent' is not a swept key: the swept keys are model.beta, seed")
        let absent = try #require(throws: SpecError.self) { try select(["seed=7"]) }
        #expect(absent.message == "no point of the sweep has seed=7; its values are 0, 1")
        #expect(absent.description.hasPrefix("--where seed=7:1:6"))
    }
}

/// The `analysis` section: kept beside the configuration (no run id changes), changed by
/// `--set analysis.…`, never swept.
@Suite struct AnalysisSectionTests {
    @Test func analysisIsNotPartOfTheConfiguration() throws {
        let plain = try Experiment.parse(SweepTests.base, file: "a.yaml")
        let declared = try Experiment.parse(SweepTests.base + "analysis:\n  samples: {count: 4}\n", file: "a.yaml")
        #expect(try plain.points()[0].runID == declared.points()[0].runID)
        #expect(try declared.points()[0].experiment.analysis?.compactText == "{samples: {count: 4}}")
        let changed = try declared.overriding([try Override.commandLine("analysis.samples.count=8"), try Override.commandLine("analysis.latent_grid={}")])
        #expect(try changed.points()[0].experiment.analysis?.compactText == "{samples: {count: 8}, latent_grid: {}}")
        #expect(try changed.points()[0].runID == plain.points()[0].runID)
        let swept = try #require(throws: SpecError.self) { try SweepTests.points("analysis: {samples: {}}\nsweep:\n  grid: {analysis.samples.count: [1, 2]}\n") }
        #expect(swept.message.contains("cannot be swept"))
        let wrong = try #require(throws: SpecError.self) { try Experiment.parse(SweepTests.base + "analysis: [samples]\n", file: "a.yaml") }
        #expect(wrong.message.hasPrefix("'analysis' must map analysis names to their parameters"))
    }
}
