import Foundation
import GenLabModels
import GenLabNN
import GenLabSpec
import GenLabTestSupport
import Testing

/// The experiment files of `experiments/`, the malformed corpus, the JSON Schema and the
/// parameter counts that must equal PyTorch's.
@Suite struct ExperimentFileTests {
    static let experimentFiles = Repository.files(in: "experiments", ext: "yaml").map(\.path)
    static let malformedFiles = Repository.files(in: "Tests/Fixtures/malformed", ext: "yaml").map(\.path)

    @Test func corporaArePresent() {
        #expect(ExperimentFileTests.experimentFiles.count >= 10)
        #expect(ExperimentFileTests.malformedFiles.count >= 30)
    }

    @Test(arguments: experimentFiles)
    func experimentValidatesAndBuilds(_ file: String) throws {
        let points = try ExperimentValidation.check(file: file)
        #expect(!points.isEmpty)
        for point in points {
            let reparsed = try Experiment.parse(point.resolvedYAML, file: "resolved")
            #expect(reparsed.tree.configurationHash == point.experiment.tree.configurationHash, "resolved YAML round-trips")
        }
    }

    /// Each malformed file states, on its first line, the error it must produce:
    /// `# expect: LINE:COLUMN: MESSAGE`.
    @Test(arguments: malformedFiles)
    func malformedFileReportsItsPlace(_ file: String) throws {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let first = text.split(separator: "\n", omittingEmptySubsequences: false)[0]
        let expected = try #require(first.hasPrefix("# expect: ") ? String(first.dropFirst(10)) : nil)
        do {
            _ = try ExperimentValidation.check(file: file)
            Issue.record("\(file) was accepted")
        } catch {
            #expect(error.description == "\(file):\(expected)")
        }
    }

    /// Every experiment file is valid against `schemas/experiment.schema.json` for the
    /// `jsonschema` package, and the schema rejects files that break it.
    @Test func jsonSchemaAcceptsExperimentsAndRejectsViolations() throws {
        let script = Repository.root.appendingPathComponent("scripts/check_schema.py").path
        let good = try Repository.run("python3", [script] + ExperimentFileTests.experimentFiles)
        #expect(good.status == 0, "\(good.output)")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("genlab-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let violations = [
            "name: x\ndataset: {name: fashion-mnist}\nmodel: {kind: vae, latent: 2, bta: 1, encoder: [flatten], decoder: mirror}\n",
            "name: x\ndataset: {name: fashion-mnist}\nmodel: {kind: vae, latent: 0, encoder: [flatten], decoder: mirror}\n",
            "name: x\ndataset: {name: fashion-mnist}\nmodel: {kind: gan, latent: 2, generator: [relu]}\n",
            "name: x\ndataset: {name: fashion-mnist}\nmodel: {kind: ae, latent: 2, encoder: [{conv2d: {kernel: 3}}], decoder: mirror}\n",
            // what GenLab refuses for an hvae (ModelSpec: "is 1 for an hvae", …)
            "name: x\ndataset: {name: fashion-mnist}\nmodel: {kind: hvae, latent: 2, latent2: 2, encoder: [flatten], decoder: mirror, encoder2: [relu], prior: [relu], samples: 2}\n",
            "name: x\ndataset: {name: fashion-mnist}\nmodel: {kind: hvae, latent: 2, latent2: 2, encoder: [flatten], decoder: mirror, encoder2: [relu], prior: [relu], kl: monte_carlo}\n",
        ]
        for (i, text) in violations.enumerated() {
            let path = folder.appendingPathComponent("bad\(i).yaml").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let bad = try Repository.run("python3", [script, path])
            #expect(bad.status == 1, "violation \(i) passed the schema: \(bad.output)")
        }
    }

    static func model(_ name: String) throws -> BuiltModel {
        let path = Repository.root.appendingPathComponent("experiments/\(name).yaml").path
        return try BuiltModel(try Experiment.load(path: path).points()[0].experiment)
    }

    /// A UTF-8 byte-order mark at the start of a file (as some Windows editors save it) is not
    /// part of the experiment: the file reads as the same experiment, with the same places.
    @Test func byteOrderMarkIsNotPartOfTheFile() throws {
        let path = Repository.root.appendingPathComponent("experiments/quickstart.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let marked = try Experiment.parse("\u{FEFF}" + text, file: path)
        #expect(marked.tree == (try Experiment.parse(text, file: path)).tree)
        // a syntax error is at the same place with the mark as without it
        let broken = "name: x\nseed: [\n"
        var places: [String?] = []
        for text in ["\u{FEFF}" + broken, broken] {
            do { _ = try Experiment.parse(text, file: "bom.yaml"); places.append("parsed") } catch { places.append(error.place) }
        }
        #expect(places[0] == places[1] && places[0] != "parsed", "\(places)")
    }

    @Test func parameterCountsEqualPyTorch() throws {
        #expect(try ExperimentFileTests.model("arena-conv-ae").parameterCount == 421_413)
        // ARENA's VAE as run, hidden 100 (000:742)
        #expect(try ExperimentFileTests.model("arena-conv-vae").parameterCount == 333_774)
        let gan = try ExperimentFileTests.model("lab-dcgan")
        #expect(gan.network(named: "generator")?.parameterCount == 5_583_744)
        #expect(gan.network(named: "discriminator")?.parameterCount == 657_409)
        #expect(try ExperimentFileTests.model("homework-mlp-vae").parameterCount == 441_808)
    }
}
