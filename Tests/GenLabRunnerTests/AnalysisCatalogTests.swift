import Foundation
import GenLabAnalysis
import GenLabReport
import GenLabResults
import GenLabSpec
import GenLabSweeps
import GenLabTestSupport
import GenLabTraining
import Testing

/// The analyses an experiment file can declare are the same in the catalogue, the JSON schema
/// editors check files with, and the analyses guide's table; and each is refused, at its
/// place, for a model kind it does not apply to.
@Suite struct AnalysisCatalogTests {
    @Test func schemaAndGuideListEveryAnalysisWithItsParameters() throws {
        let data = try Data(contentsOf: Repository.root.appendingPathComponent("schemas/experiment.schema.json"))
        let schema = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let section = try #require(((schema["properties"] as? [String: Any])?["analysis"] as? [String: Any])?["properties"] as? [String: Any])
        let readme = try String(contentsOf: Repository.root.appendingPathComponent("docs/guides/analyses.md"), encoding: .utf8)
        #expect(Set(section.keys) == Set(AnalysisCatalog.all.map { $0.name }))
        for kind in AnalysisCatalog.all {
            let variants = (section[kind.name] as? [String: Any])?["oneOf"] as? [[String: Any]] ?? []
            let keys = (variants.compactMap { $0["properties"] as? [String: Any] }.first ?? [:]).keys
            #expect(Set(keys) == Set(kind.parameterNames), "\(kind.name)")
            let row = readme.split(separator: "\n").first { $0.hasPrefix("| `\(kind.name)`") }.map(String.init) ?? ""
            #expect(kind.parameterNames.allSatisfy { row.contains("`\($0)`") }, "guide's row of \(kind.name): \(row)")
        }
    }

    @Test(arguments: [("vae", "inversion", "applies to gan, wgan; the model is a vae"),
                      ("gan", "metrics", "applies to ae, vae, cvae; the model is a gan"),
                      ("hvae", "metrics", "applies to ae, vae, cvae; the model is a hvae")])
    func analysisForAnotherKindIsRefusedAtItsPlace(_ kind: String, _ analysis: String, _ message: String) throws {
        let section = try YAMLNode.parse("\(analysis): {}\n", file: "a.yaml")
        let error = try #require(throws: SpecError.self) {
            try AnalysisRunner.declared(section, kind: try #require(ModelSpec.Kind(rawValue: kind)))
        }
        #expect(error.message == "analysis '\(analysis)' \(message)" && error.location?.line == 1, "\(error.description)")
    }
}
