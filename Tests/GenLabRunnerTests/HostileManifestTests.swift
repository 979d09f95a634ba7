import Foundation
import GenLabTestSupport
import Testing

/// The hostile sweep definitions of `Fixtures/hostile/manifest/`: each one, alone in a
/// results folder, is refused by `worker` and by `status` with the error it states (exit 1,
/// the file named), and nothing is created outside that folder.
@Suite struct HostileManifestTests {
    static let files = Repository.files(in: "Tests/Fixtures/hostile/manifest", ext: "json").map(\.path)

    @Test func theCorpusIsThere() {
        #expect(HostileManifestTests.files.count >= 19)
    }

    /// The error a corpus file must give: its `expect` key, or for a file that is not JSON
    /// (truncated, nested beyond reason, empty) the refusal of any non-definition; and the
    /// commands that must give it (`refused_by`: a point's configuration is rebuilt, and
    /// checked against its run id, only by what trains it; else all three).
    static func expected(_ path: String) -> (message: String, commands: [String]) {
        let data = FileManager.default.contents(atPath: path) ?? Data()
        let object = (try? JSONSerialization.jsonObject(with: data, options: [])) as? [String: Any]
        return (object?["expect"] as? String ?? "not a GenLab sweep definition",
                object?["refused_by"] as? [String] ?? ["worker", "status", "compare"])
    }

    @Test(arguments: files)
    func refusedWithItsError(_ file: String) throws {
        let results = try RunHarness.folder("hostile-manifest")
        let folder = "\(results)/quickstart"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let manifest = "\(folder)/sweep-00000000.json"
        try FileManager.default.copyItem(atPath: file, toPath: manifest)
        let (expected, commands) = HostileManifestTests.expected(file)
        for arguments in [["worker", manifest, "0"], ["status", folder], ["compare", folder]] where commands.contains(arguments[0]) {
            let result = try Repository.run(RunHarness.genlab, arguments)
            #expect(result.status == 1, "\(arguments[0]): \(result.output)")
            #expect(result.output.hasPrefix(manifest), "\(arguments[0]): \(result.output)")
            #expect(result.output.contains(expected), "\(arguments[0]): \(result.output)")
        }
        // nothing trained, nothing written beside or above the folder
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["sweep-00000000.json"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: results) == ["quickstart"])
    }
}
