import Foundation
import GenLabTestSupport
import Testing

/// The damaged run files of `Fixtures/hostile/run-files/damages.json`, each applied (with
/// h5py) to the first point of a trained two-point sweep: `status`, `compare`, `report` and
/// `inspect` end without crashing, hanging (`timeout 60`) or allocating beyond 4 GiB
/// (`ulimit -v`), the damaged point shows the case's message, and the other point is listed.
@Suite(.serialized) struct HostileRunFileTests {
    struct Damage: Decodable, CustomTestStringConvertible, Sendable {
        var name: String
        var damage: String
        /// What `status` says of the damaged point, if the case is about what it reads.
        var status: String?
        /// What the report's page says in the damaged point's section.
        var report: String?
        var testDescription: String { name }
    }

    static let damages: [Damage] = {
        let path = Repository.root.appendingPathComponent("Tests/Fixtures/hostile/run-files/damages.json").path
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return (try? JSONDecoder().decode([Damage].self, from: data)) ?? []
    }()

    /// The trained sweep every case copies (trained once).
    static let trained: Result<(results: String, ids: [String]), Error> = Result {
        let (file, results, ids) = try HostileResultsFolderTests.drill()
        let run = try Repository.run(RunHarness.genlab, ["run", file, "--results", results, "--jobs", "1", "--quiet"])
        guard run.status == 0 else { throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: run.output]) }
        return ("\(results)/hostile", ids)
    }

    @Test func theCorpusIsThere() {
        #expect(HostileRunFileTests.damages.count >= 14)
    }

    /// `genlab arguments…` under a 4 GiB address-space limit and a 60 s timeout.
    static func genlab(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try Repository.run("sh", ["-c", "ulimit -v 4194304; exec timeout 60 \"$@\" 2>&1", "sh", RunHarness.genlab] + arguments)
    }

    @Test(arguments: damages)
    func damageIsReportedForItsPointAlone(_ damage: Damage) throws {
        let (source, ids) = try HostileRunFileTests.trained.get()
        let folder = try TestFolder.make("damaged").appendingPathComponent("hostile").path
        try FileManager.default.copyItem(atPath: source, toPath: folder)
        try? FileManager.default.removeItem(atPath: "\(folder)/report")
        let runFile = "\(folder)/\(ids[0])/run.h5"
        let python = try Repository.run("python3", ["-c", """
            import sys, h5py, numpy as np
            with h5py.File(sys.argv[1], "r+") as f:
                exec(sys.argv[2])
            """, runFile, damage.damage])
        try #require(python.status == 0, "\(python.output)")
        for command in ["status", "compare", "report"] {
            let result = try HostileRunFileTests.genlab([command, folder])
            #expect([0, 1].contains(result.status), "\(command) ended with \(result.status): \(result.output)")
            #expect(command == "report" || result.output.contains(ids[1]), "\(command) lost the other point: \(result.output)")
            if command == "status", let message = damage.status {
                #expect(result.output.contains(message), "\(result.output)")
            }
        }
        let inspect = try HostileRunFileTests.genlab(["inspect", runFile])
        #expect([0, 1].contains(inspect.status), "inspect ended with \(inspect.status): \(inspect.output)")
        let page = (try? String(contentsOfFile: "\(folder)/report/index.html", encoding: .utf8)) ?? ""
        #expect(page.contains(ids[1]), "the report lost the other point")
        if let message = damage.report {
            #expect(page.contains(message), "the report does not say '\(message)'")
        }
    }
}
