import GenLabSpec
import Testing

/// `dataset.shuffle`: a full shuffle unless set (every existing run keeps its batches);
/// `block` is read; a sweep may vary it.
@Suite struct DatasetShuffleSpecTests {
    static func experiment(_ dataset: String, sweep: String = "") throws -> Experiment {
        try Experiment.parse("""
        name: shuffle
        dataset: {name: fashion-mnist\(dataset)}
        model:
          kind: ae
          latent: 2
          encoder: [flatten, {linear: {out: 8}}]
          decoder: mirror
        \(sweep)
        """, file: "shuffle.yaml")
    }

    @Test func fullUnlessSet() throws {
        #expect(try Self.experiment("").dataset.shuffle == .full)
        #expect(try Self.experiment(", shuffle: full").dataset.shuffle == .full)
        #expect(try Self.experiment(", shuffle: block").dataset.shuffle == .block)
    }

    @Test func aSweepVariesIt() throws {
        let points = try Self.experiment("", sweep: "sweep: {grid: {dataset.shuffle: [full, block]}}").points()
        #expect(points.map(\.experiment.dataset.shuffle) == [.full, .block])
    }

    @Test func otherValuesAreLocatedErrors() throws {
        let error = try #require(throws: SpecError.self) { try Self.experiment(", shuffle: 3") }
        #expect(error.location?.line == 2 && error.message.contains("dataset.shuffle"), "\(error.description)")
    }
}
