import Foundation
import GenLabTestSupport
import Testing

/// `compare` and `report` state values, checked against numbers computed independently:
/// `--group-by` against numpy on the run files' histories; and strings from files (swept
/// values of a tampered sweep definition, a failure note) stay data in every format: one row
/// per point in Markdown and the terminal table, the same text back from CSV and JSON, escaped
/// in the report's HTML.
@Suite(.serialized) struct ComparisonValueTests {
    /// Four points: two seeds × two learning rates, four steps each.
    static let experiment = RunHarness.tinyAutoencoder("values", subset: 512, steps: 4, lossesEvery: 1, rest: """
        sweep:
          grid:
            seed: [0, 1]
            train.optimizer.sgd.lr: [0.01, 0.02]

        """)

    /// The trained sweep (once): its results folder.
    static let trained: Result<String, Error> = Result {
        let folder = try TestFolder.make("values")
        let file = folder.appendingPathComponent("values.yaml").path
        try experiment.write(toFile: file, atomically: true, encoding: .utf8)
        let results = folder.appendingPathComponent("results").path
        let run = try Repository.run(RunHarness.genlab, ["run", file, "--results", results, "--jobs", "1", "--quiet"])
        guard run.status == 0 else { throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: run.output]) }
        return "\(results)/values"
    }

    /// A copy of the trained sweep to tamper with.
    static func copy() throws -> String {
        let folder = try TestFolder.make("values-copy").appendingPathComponent("values").path
        try FileManager.default.copyItem(atPath: try trained.get(), toPath: folder)
        return folder
    }

    /// Mean and sample standard deviation (N − 1) of each final loss over the seeds of each
    /// learning rate, from `compare --group-by --format json`, equal to numpy's on the run
    /// files' last history rows.
    @Test func groupByStatisticsMatchNumpy() throws {
        let folder = try ComparisonValueTests.trained.get()
        let compare = try Repository.run(RunHarness.genlab, ["compare", folder, "--group-by", "train.optimizer.sgd.lr", "--format", "json"])
        try #require(compare.status == 0, "\(compare.output)")
        let script = """
            import glob, json, sys, h5py, numpy as np
            folder, table = sys.argv[1], json.loads(sys.argv[2])
            groups = {}
            for path in sorted(glob.glob(folder + "/*/run.h5")):
                with h5py.File(path, "r") as f:
                    lr = [line.split("=", 1)[1] for line in f.attrs["sweep_point"].split("\\n") if line.startswith("train.optimizer.sgd.lr=")][0]
                    for name in f["history"]:
                        if name not in ("step", "epoch"):
                            groups.setdefault(lr, {}).setdefault(name, []).append(float(f["history"][name][-1]))
            checked = 0
            for row in table["rows"]:
                for name, values in groups[row["train.optimizer.sgd.lr"]].items():
                    cell = row["final." + name]
                    assert cell["count"] == len(values) == 2, (name, cell)
                    assert abs(cell["mean"] - np.mean(values)) <= 1e-6 * abs(np.mean(values)), (name, cell, values)
                    assert abs(cell["std"] - np.std(values, ddof=1)) <= 1e-6 * max(abs(np.mean(values)), 1e-12), (name, cell, values)
                    checked += 1
            assert len(table["rows"]) == 2 and checked >= 2, (table, checked)
            print("checked", checked)
            """
        let numpy = try Repository.run("python3", ["-c", script, folder, compare.output])
        #expect(numpy.status == 0 && numpy.output.hasPrefix("checked"), "\(numpy.output)")
    }

    /// A swept value with a line break, pipes, a backslash, markup and an escape sequence,
    /// and a failure note with markup: every format keeps them as text of their own cell.
    @Test func stringsFromFilesStayData() throws {
        let folder = try ComparisonValueTests.copy()
        let hostile = "0.01|x\\y\n| <b>injected</b> |\r\u{1B}[31mred"
        let manifests = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("sweep-") }
        try #require(manifests.count == 1)
        let path = "\(folder)/\(manifests[0])"
        var manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        var points = try #require(manifest["points"] as? [[String: Any]])
        var overrides = try #require(points[0]["overrides"] as? [[String: Any]])
        let lrIndex = try #require(overrides.firstIndex { $0["key"] as? String == "train.optimizer.sgd.lr" })
        overrides[lrIndex]["value"] = hostile
        points[0]["overrides"] = overrides
        manifest["points"] = points
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: path))
        let failed = try #require(points[1]["run_id"] as? String)
        try "<img src=x onerror=alert(1)> & more".write(toFile: "\(folder)/\(failed)/run.failed", atomically: true, encoding: .utf8)

        let markdown = try Repository.run(RunHarness.genlab, ["compare", folder, "--format", "markdown"])
        let rows = markdown.output.split(separator: "\n", omittingEmptySubsequences: false).filter { $0.hasPrefix("|") }
        #expect(rows.count == 6, "\(markdown.output)")
        #expect(rows.contains { $0.contains("0.01\\|x\\\\y<br>\\| &lt;b>injected&lt;/b> \\|<br>\\u{1B}[31mred") }, "\(markdown.output)")

        let csv = try Repository.run(RunHarness.genlab, ["compare", folder, "--format", "csv"])
        let json = try Repository.run(RunHarness.genlab, ["compare", folder, "--format", "json"])
        let check = try Repository.run("python3", ["-c", """
            import csv, io, json, sys
            value = sys.argv[3]
            rows = list(csv.DictReader(io.StringIO(sys.argv[1], newline="")))
            assert len(rows) == 4 and rows[0]["train.optimizer.sgd.lr"] == value, rows
            table = json.loads(sys.argv[2])
            assert table["rows"][0]["train.optimizer.sgd.lr"] == value, table["rows"][0]
            print("same")
            """, csv.output, json.output, hostile])
        #expect(check.output == "same\n", "\(check.output)")

        let terminal = try Repository.run(RunHarness.genlab, ["compare", folder])
        #expect(!terminal.output.contains("\u{1B}") && terminal.output.contains("0.01|x\\y\\n| <b>injected</b> |\\r\\u{1B}[31mred"), "\(terminal.output)")
        let status = try Repository.run(RunHarness.genlab, ["status", folder])
        #expect(!status.output.contains("\u{1B}"), "\(status.output)")

        let report = try Repository.run(RunHarness.genlab, ["report", folder])
        #expect(report.status == 0, "\(report.output)")
        let page = try String(contentsOfFile: "\(folder)/report/index.html", encoding: .utf8)
        #expect(page.contains("&lt;img src=x onerror=alert(1)&gt; &amp; more") && !page.contains("<img src=x"))
        #expect(page.contains("&lt;b&gt;injected&lt;/b&gt;") && !page.contains("<b>injected"))
    }
}
