import Foundation
import GenLabNN
import GenLabTestSupport
import Testing

/// The docs stay true: the YAML reference names every layer of `LayerCatalog` and every
/// top-level key of the JSON Schema, the schema's layers are the catalogue's, the README's
/// and the tutorial's experiment files validate, and every relative link in the docs leads
/// to a file. (The analyses' table is `AnalysisCatalogTests`'.)
@Suite struct DocsTests {
    static func text(_ path: String) throws -> String {
        try String(contentsOf: Repository.root.appendingPathComponent(path), encoding: .utf8)
    }

    static var schema: [String: Any] {
        get throws {
            let data = try Data(contentsOf: Repository.root.appendingPathComponent("schemas/experiment.schema.json"))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
    }

    @Test func yamlReferenceSchemaAndCatalogueNameTheSameLayers() throws {
        let reference = try DocsTests.text("docs/reference/yaml.md")
        let layers = try #require(reference.components(separatedBy: "**Layers:**").dropFirst().first?.components(separatedBy: "\n\n").first)
        let documented = Set(layers.matches(of: #/`([a-z_0-9]+)[:`]/#).map { String($0.1) })
        #expect(documented == Set(LayerCatalog.names), "documented \(documented.sorted()), catalogue \(LayerCatalog.names.sorted())")
        let layer = try #require((try DocsTests.schema["$defs"] as? [String: Any])?["layer"] as? [String: Any])
        var inSchema = Set<String>()
        for variant in layer["oneOf"] as? [[String: Any]] ?? [] {
            inSchema.formUnion((variant["enum"] as? [String]) ?? [])
            inSchema.formUnion(((variant["properties"] as? [String: Any]) ?? [:]).keys)
        }
        #expect(inSchema == Set(LayerCatalog.names), "schema \(inSchema.sorted())")
    }

    @Test func yamlReferenceNamesEveryTopLevelKey() throws {
        let reference = try DocsTests.text("docs/reference/yaml.md")
        let keys = try #require(try DocsTests.schema["properties"] as? [String: Any]).keys
        for key in keys {
            #expect(reference.split(separator: "\n").contains { $0.hasPrefix("\(key):") }, "docs/reference/yaml.md does not show '\(key):'")
        }
    }

    @Test(arguments: ["README.md", "docs/tutorial.md"])
    func experimentFilesInTheDocsValidate(_ page: String) throws {
        let blocks = try DocsTests.text(page).components(separatedBy: "```yaml\n").dropFirst().compactMap { $0.components(separatedBy: "```").first }
        #expect(!blocks.isEmpty)
        let folder = try TestFolder.make("docs").path
        for (i, block) in blocks.enumerated() {
            let file = "\(folder)/example-\(i).yaml"
            try block.write(toFile: file, atomically: true, encoding: .utf8)
            let check = try Repository.run(RunHarness.genlab, ["validate", file])
            #expect(check.status == 0, "\(page), block \(i + 1): \(check.output)")
        }
    }

    @Test func relativeLinksLeadToFiles() throws {
        let pages = ["README.md", "Tests/README.md"] + (FileManager.default.subpaths(atPath: Repository.root.appendingPathComponent("docs").path) ?? [])
            .filter { $0.hasSuffix(".md") }.map { "docs/\($0)" }
        #expect(pages.count >= 12)
        for page in pages {
            let folder = Repository.root.appendingPathComponent(page).deletingLastPathComponent()
            // the prose only: code blocks are left out
            let prose = try DocsTests.text(page).components(separatedBy: "```").enumerated().filter { $0.offset % 2 == 0 }.map(\.element).joined()
            for link in prose.matches(of: #/\]\(([^)#:]+)(#[^)]*)?\)/#) {
                let target = folder.appendingPathComponent(String(link.1)).path
                #expect(FileManager.default.fileExists(atPath: target), "\(page) links to \(link.1), which is not there")
            }
        }
    }
}
