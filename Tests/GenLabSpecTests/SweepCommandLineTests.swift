import GenLabNN
import GenLabSpec
import Testing

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
