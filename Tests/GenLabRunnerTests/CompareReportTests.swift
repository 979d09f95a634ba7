import CImageCodecs
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import GenLabTestSupport
import Testing

/// `genlab compare` and `genlab report` on a small sweep of three points, one of which fails
/// (its loss becomes infinite): every format checked against the run files read by h5py, the
/// figures parsed as XML, and the report rendered by a real headless browser (chromium).
@Suite(.serialized) struct CompareReportTests {
    static let experiment = RunHarness.tinyAutoencoder("compare-drill", subset: 1024, steps: 40, lossesEvery: 5, rest: """
          samples: {every: 10, count: 4}
        analysis:
          reconstructions: {count: 4}
          metrics: {count: 64}
        sweep:
          zip:
            train.optimizer.sgd.lr: [0.5, 1.0e+12, 0.05]

        """)

    /// The sweep, trained once for the suite: its experiment file and results folder.
    static let sweep: Result<(file: String, results: String), Error> = Result {
        let folder = try TestFolder.make("compare")
        let file = folder.appendingPathComponent("drill.yaml").path
        try experiment.write(toFile: file, atomically: true, encoding: .utf8)
        let results = folder.appendingPathComponent("results").path
        let run = try Repository.run(RunHarness.genlab, ["run", file, "--jobs", "1", "--results", results, "--quiet"])
        guard run.status == 1, run.output.contains("failed") else { throw CocoaError(.fileReadUnknown, userInfo: ["output": run.output]) }
        return (file, results)
    }

    static func compare(_ arguments: [String], columns: Int = 120) throws -> (status: Int32, output: String) {
        let (file, results) = try sweep.get()
        return try Repository.run("COLUMNS=\(columns)", [RunHarness.genlab, "compare", file, "--results", results] + arguments)
    }

    @Test func everyFormatAgreesWithTheRunFiles() throws {
        let (_, results) = try CompareReportTests.sweep.get()
        // h5py: each run's last and smallest losses, step, and the metrics it stored
        let script = """
            import h5py, json, glob, math, numpy as np
            out = {}
            for path in glob.glob('\(results)/compare-drill/*/run.h5'):
                with h5py.File(path) as f:
                    row = {'status': f.attrs['status'], 'steps': int(f['progress'].attrs['step'])}
                    h = f['history']
                    for name in h:
                        if name in ('step', 'epoch'): continue
                        v = h[name][:].astype(np.float64)
                        row['final.' + name] = None if not math.isfinite(v[-1]) else v[-1]
                        finite = v[np.isfinite(v)]
                        row['best.' + name] = float(finite.min()) if len(finite) else None
                    if 'analysis/metrics' in f:
                        row['metrics.reconstruction_loss'] = float(f['analysis/metrics'].attrs['reconstruction_loss'])
                    out[f.attrs['run_id']] = row
            print(json.dumps(out))
            """
        let h5py = try Repository.run("python3", ["-c", script])
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(h5py.output.utf8)) as? [String: [String: Any]], "\(h5py.output)")
        #expect(expected.count == 3)

        let json = try CompareReportTests.compare(["--format", "json"])
        #expect(json.status == 0, "\(json.output)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        let rows = try #require(object["rows"] as? [[String: Any]])
        #expect(rows.count == 3 && (object["keys"] as? [String]) == ["train.optimizer.sgd.lr"])
        #expect((object["constant"] as? [String: String])?["model.latent"] == "4")
        for row in rows {
            let id = try #require(row["run_id"] as? String)
            let truth = try #require(expected[id], "\(id) not in \(expected.keys)")
            #expect(row["status"] as? String == (truth["status"] as? String == "failed" ? "failed" : "completed"))
            #expect(row["steps"] as? Double == (truth["steps"] as? Int).map(Double.init))
            for (key, value) in truth where key.contains(".") {
                let mine = row[key] as? Double, theirs = value as? Double
                #expect((mine == nil && theirs == nil) || abs((mine ?? .nan) - (theirs ?? .nan)) <= 1e-6 * abs(theirs ?? 1), "\(id) \(key): \(String(describing: mine)) vs \(String(describing: theirs))")
            }
        }
        #expect(rows.filter { $0["status"] as? String == "failed" }.count == 1)

        let csv = try CompareReportTests.compare(["--format", "csv", "--sort", "final.reconstruction:desc"])
        let lines = csv.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 4 && lines[0].hasPrefix("#,run_id,train.optimizer.sgd.lr,status,steps,epochs,time_s,final.reconstruction"), "\(csv.output)")
        // descending; the failed point (no loss recorded before it failed) last
        let finals = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false)[7] }
        #expect(finals.count == 3 && Double(finals[0])! > Double(finals[1])! && finals[2] == "" && lines[3].contains(",failed,"), "\(finals)")

        let markdown = try CompareReportTests.compare(["--format", "markdown"])
        #expect(markdown.output.split(separator: "\n").filter { $0.hasPrefix("| ") }.count == 4 && markdown.output.contains("|---|"))

        // a narrow terminal gets blocks that fit, each starting with the identifying columns
        let narrow = try CompareReportTests.compare([], columns: 72)
        let tableLines = narrow.output.split(separator: "\n").filter { !$0.hasPrefix(" ") && !$0.hasPrefix("shared:") && !$0.hasPrefix("compare-drill") }
        #expect(tableLines.filter { $0.count > 72 }.isEmpty && tableLines.filter { $0.hasPrefix("#  run_id") }.count == 1 && tableLines.filter { $0.hasPrefix("#  train.optimizer.sgd.lr") }.count >= 2,
                "\(tableLines.filter { $0.count > 72 })")

        let grouped = try CompareReportTests.compare(["--group-by", "train.optimizer.sgd.lr", "--format", "csv"])
        #expect(grouped.output.split(separator: "\n").count == 4 && grouped.output.contains("1 failed"), "\(grouped.output)")
        let badKey = try CompareReportTests.compare(["--group-by", "seed"])
        #expect(badKey.status == 1 && badKey.output.contains("--group-by: 'seed' is not swept here; the swept keys are train.optimizer.sgd.lr"), "\(badKey.output)")
        let badSort = try CompareReportTests.compare(["--sort", "elbo"])
        #expect(badSort.status == 1 && badSort.output.contains("--sort: no column 'elbo'"), "\(badSort.output)")
    }

    @Test func figuresAreWellFormedSVG() throws {
        let plots = try TestFolder.make("plots").path
        let result = try CompareReportTests.compare(["--plot", plots])
        #expect(result.status == 0, "\(result.output)")
        let files = (try FileManager.default.contentsOfDirectory(atPath: plots)).filter { $0.hasSuffix(".svg") }.sorted()
        #expect(files.contains("loss-reconstruction.svg") && files.contains("final.reconstruction-vs-train.optimizer.sgd.lr.svg"), "\(files)")
        for name in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(plots)/\(name)"))
            let parser = XMLParser(data: data)
            #expect(parser.parse(), "\(name): \(String(describing: parser.parserError))")
            let text = String(decoding: data, as: UTF8.self)
            #expect(text.contains("<polyline") || text.contains("<circle"), "\(name) draws nothing")
        }
        let curves = String(decoding: try Data(contentsOf: URL(fileURLWithPath: "\(plots)/loss-reconstruction.svg")), as: UTF8.self)
        // a curve and a legend entry per point that recorded losses (the failed one failed first)
        #expect(curves.components(separatedBy: "<polyline").count - 1 == 2 && curves.contains(">lr=0.5<") && curves.contains(">lr=0.05<"))
    }

    static let browser = ["chromium", "chromium-browser", "google-chrome"].first { name in
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
    }

    @Test(.enabled(if: browser != nil, "no chromium: scripts/setup.sh --tests installs Debian's chromium; it could not here"))
    func reportRendersInABrowser() throws {
        let (file, results) = try CompareReportTests.sweep.get()
        let out = try TestFolder.make("report").path
        let made = try Repository.run(RunHarness.genlab, ["report", file, "--results", results, "--out", out])
        #expect(made.status == 0 && made.output.contains("\(out)/index.html"), "\(made.output)")
        let page = try String(contentsOfFile: "\(out)/index.html", encoding: .utf8)
        // self-contained: no scripts, nothing fetched (the SVG namespace is a name, not a fetch)
        let fetched = page.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        #expect(!page.contains("<script") && !fetched.contains("http://") && !fetched.contains("https://") && !page.contains("<link"))

        // every embedded image decodes whole (libpng), at the size the page shows it
        let uris = page.components(separatedBy: "src=\"data:image/png;base64,").dropFirst().map { $0.prefix { $0 != "\"" } }
        #expect(uris.count >= 6)
        for (i, uri) in uris.enumerated() {
            let png = "\(out)/embedded-\(i).png"
            try #require(Data(base64Encoded: String(uri))).write(to: URL(fileURLWithPath: png))
            var decoded = genlab_image()
            var error = [CChar](repeating: 0, count: 256)
            #expect(genlab_image_decode(png, &decoded, &error, error.count) == 0 && decoded.width > 0, "image \(i): \(String(cString: error))")
            genlab_image_free(&decoded)
        }

        // a copy with a check appended: the images that did not decode, and what is there
        let checked = "\(out)/checked.html"
        let probe = """
            <script>window.addEventListener('load', () => {
              const broken = [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).length;
              document.body.setAttribute('data-check', `images=${document.images.length} broken=${broken} svgs=${document.querySelectorAll('svg').length} rows=${document.querySelectorAll('table')[0].rows.length} width=${document.documentElement.scrollWidth}`);
            });</script></body>
            """
        try page.replacingOccurrences(of: "</body>", with: probe).write(toFile: checked, atomically: true, encoding: .utf8)
        let browser = try #require(CompareReportTests.browser)
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1280,1400", "--virtual-time-budget=5000"]
        let dom = try Repository.run(browser, flags + ["--dump-dom", "file://\(checked)"])
        let start = try #require(dom.output.range(of: "data-check=\""), "\(dom.output.suffix(400))")
        let check = String(dom.output[start.upperBound...].prefix { $0 != "\"" })
        let numbers = Dictionary(uniqueKeysWithValues: check.split(separator: " ").compactMap { pair -> (String, Int)? in
            let parts = pair.split(separator: "=")
            return parts.count == 2 ? (String(parts[0]), Int(parts[1]) ?? -1) : nil
        })
        // two completed points: a samples strip and two reconstruction pictures each; the failed point its strip
        #expect((numbers["images"] ?? 0) >= 6 && numbers["broken"] == 0, "\(check)")
        #expect((numbers["svgs"] ?? 0) >= 4 && numbers["rows"] == 4, "\(check)")
        #expect((numbers["width"] ?? .max) <= 1280, "the page overflows its width: \(check)")
        #expect(dom.output.contains("failed") && dom.output.contains("Samples during training"))

        let shot = "\(out)/shot.png"
        _ = try Repository.run(browser, flags + ["--screenshot=\(shot)", "file://\(out)/index.html"])
        var image = genlab_image()
        var message = [CChar](repeating: 0, count: 256)
        #expect(genlab_image_decode(shot, &image, &message, message.count) == 0, "\(String(cString: message))")
        defer { genlab_image_free(&image) }
        let count = Int(image.width) * Int(image.height), channels = Int(image.channels)
        // not blank: a fair share of pixels differ from the page's background
        let background = (0..<channels).map { image.pixels[$0] }
        var differing = 0
        for p in 0..<count where (0..<channels).contains(where: { image.pixels[p * channels + $0] != background[$0] }) { differing += 1 }
        #expect(image.width == 1280 && Double(differing) / Double(count) > 0.05, "\(differing) of \(count) pixels differ from the background")
    }
}
