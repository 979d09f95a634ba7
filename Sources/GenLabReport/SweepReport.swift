import Foundation
import GenLabCore
import GenLabData
import GenLabResults
import GenLabStore

/// A sweep's report: one static, self-contained HTML page (inline CSS and SVG, images as
/// data URIs; nothing fetched) with the comparison table, the figures, and a section per
/// point: its configuration, loss curves, the samples recorded during training as a strip
/// over steps, and its analyses' pictures and numbers.
public struct SweepReport {
    /// The sweeps shown, each with its title.
    public let sweeps: [(title: String, comparison: SweepComparison)]

    public init(sweeps: [(title: String, comparison: SweepComparison)]) {
        self.sweeps = sweeps
    }

    static func escape(_ s: String) -> String { SVGPlot.escape(s) }

    /// Writes `index.html` into `folder` (created if needed); returns its path.
    public func write(to folder: String) throws(RunError) -> String {
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw RunError(.io, "cannot create the report folder", path: folder)
        }
        let path = "\(folder)/index.html"
        let page = try html()
        do { try DurableFile.replace(path, with: Array(page.utf8)) } catch {
            throw RunError(.io, "cannot write the report: \(error.message)", path: path)
        }
        return path
    }

    /// The page.
    func html() throws(RunError) -> String {
        var body: [String] = []
        for (s, sweep) in sweeps.enumerated() {
            body += try section(sweep.title, sweep.comparison, prefix: "s\(s)")
        }
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>GenLab report: \(SweepReport.escape(sweeps.first?.title ?? "no sweeps"))</title>
            <style>\(SweepReport.style)</style>
            </head>
            <body>
            <main>
            \(body.joined(separator: "\n"))
            <footer>Written by genlab \(GenLabVersion.current) from the run files alone.</footer>
            </main>
            </body>
            </html>

            """
    }

    static let style = """
        body { margin: 0; background: #f6f6f4; color: #222; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
        main { max-width: 1180px; margin: 0 auto; padding: 16px 24px 48px; }
        h1 { font-size: 26px; margin: 12px 0 4px; } h2 { font-size: 20px; margin: 28px 0 8px; border-bottom: 1px solid #ccc; }
        h3 { font-size: 17px; margin: 0 0 6px; } h4 { font-size: 15px; margin: 14px 0 6px; }
        .meta { color: #555; margin: 0 0 10px; }
        .scroll { overflow-x: auto; background: white; border: 1px solid #ddd; border-radius: 6px; }
        table { border-collapse: collapse; font-size: 13px; white-space: nowrap; }
        th, td { padding: 4px 10px; border-bottom: 1px solid #eee; text-align: left; }
        th { background: #f0f0ee; position: sticky; top: 0; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
        tr.failed td, tr.killed td, tr.unreadable td { color: #a11; }
        .numbers { display: inline-block; max-width: 100%; }
        .figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 12px; }
        .figures.small { grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); }
        .figures svg, figure svg { width: 100%; height: auto; background: white; border: 1px solid #ddd; border-radius: 6px; }
        section.point { background: white; border: 1px solid #ddd; border-radius: 8px; padding: 14px 18px; margin: 14px 0; }
        figure { margin: 0; } figcaption { color: #555; font-size: 13px; margin-top: 2px; }
        img { max-width: 100%; height: auto; image-rendering: pixelated; border: 1px solid #eee; }
        .pictures { display: flex; flex-wrap: wrap; gap: 14px; align-items: flex-start; }
        pre { background: #f3f3f1; padding: 8px; overflow-x: auto; font-size: 12px; }
        details { margin: 6px 0; } summary { cursor: pointer; color: #444; }
        .failure { color: #a11; white-space: pre-wrap; }
        footer { color: #777; font-size: 12px; margin-top: 32px; }
        """

    /// One sweep: its heading, shared configuration, table, figures and points.
    private func section(_ title: String, _ comparison: SweepComparison, prefix: String) throws(RunError) -> [String] {
        let tally = PointStatus.State.allCases.compactMap { state -> String? in
            let n = comparison.rows.filter { $0.status == state }.count
            return n > 0 ? "\(n) \(state.rawValue)" : nil
        }
        var out = ["<h1>\(SweepReport.escape(title))</h1>",
                   "<p class=\"meta\">\(comparison.rows.count) point\(comparison.rows.count == 1 ? "" : "s"): \(tally.joined(separator: ", "))\(comparison.keys.isEmpty ? "" : "; swept: " + comparison.keys.map(SweepReport.escape).joined(separator: ", ")) · results in \(SweepReport.escape(comparison.folder))</p>"]
        let shared = comparison.constantConfiguration
        if !shared.isEmpty {
            out.append("<details><summary>Shared configuration (\(shared.count) keys)</summary><pre>\(SweepReport.escape(shared.map { "\($0.key): \($0.value)" }.joined(separator: "\n")))</pre></details>")
        }
        out += ["<h2>Comparison</h2>", SweepReport.table(comparison.table, statuses: comparison.rows.map(\.status))]
        let losses = comparison.lossFigures, metrics = comparison.metricFigures
        if !losses.isEmpty {
            out += ["<h2>Loss curves</h2>", "<div class=\"figures\">"] + losses.map { $0.plot.svg(id: "\(prefix)-\(SweepComparison.identifier($0.name))") } + ["</div>"]
        }
        if !metrics.isEmpty {
            out += ["<h2>Final numbers against the swept keys</h2>", "<div class=\"figures\">"]
                + metrics.map { $0.plot.svg(id: "\(prefix)-\(SweepComparison.identifier($0.name))") } + ["</div>"]
        }
        out.append("<h2>Points</h2>")
        for (i, row) in comparison.rows.enumerated() {
            out += try point(row, label: comparison.label(row), id: "\(prefix)-p\(i)")
        }
        return out
    }

    /// A comparison table as HTML (numbers right-aligned, failed points marked).
    static func table(_ table: ComparisonTable, statuses: [PointStatus.State]) -> String {
        var lines = ["<div class=\"scroll\"><table>", "<tr>" + table.columns.map { "<th>\(escape($0))</th>" }.joined() + "</tr>"]
        for (r, row) in table.rows.enumerated() {
            let state = r < statuses.count ? statuses[r].rawValue.replacingOccurrences(of: " ", with: "-") : ""
            lines.append("<tr class=\"\(state)\">" + row.map { cell in
                cell.sortValue != nil && cell != .missing ? "<td class=\"n\">\(escape(cell.text))</td>" : "<td>\(escape(cell.text))</td>"
            }.joined() + "</tr>")
        }
        return (lines + ["</table></div>"]).joined(separator: "\n")
    }

    /// One point's section.
    private func point(_ row: SweepComparison.Row, label: String, id: String) throws(RunError) -> [String] {
        let heading = row.index >= 0 ? "#\(row.index) \(label)" : label
        var out = ["<section class=\"point\" id=\"\(id)\">", "<h3>\(SweepReport.escape(heading)) — \(SweepReport.escape(row.statusText))</h3>"]
        var facts = ["run id \(row.runID)"]
        if let steps = row.steps { facts.append("\(steps) steps") }
        if let epochs = row.epochs { facts.append("\(epochs) epochs") }
        if let seconds = row.seconds { facts.append(String(format: "%.1f s", seconds)) }
        out.append("<p class=\"meta\">\(SweepReport.escape(facts.joined(separator: " · ")))</p>")
        if let stopped = row.stopped {
            out.append("<p class=\"stopped\">\(SweepReport.escape(stopped))</p>")
        }
        if let failure = row.failure, [.failed, .unreadable, .killed].contains(row.status) {
            out.append("<p class=\"failure\">\(SweepReport.escape(failure))</p>")
        }
        if !row.configYAML.isEmpty {
            out.append("<details><summary>Configuration</summary><pre>\(SweepReport.escape(row.configYAML))</pre></details>")
        }
        // a loss and its validation on one plot: `total` with `validation.total`
        let columns = row.history.columns.keys
        let losses = Set(columns.map { $0.hasPrefix("validation.") ? String($0.dropFirst(11)) : $0 }).sorted()
        if !losses.isEmpty {
            out.append("<h4>Losses</h4><div class=\"figures small\">")
            for (k, loss) in losses.enumerated() {
                let series = [loss, "validation.\(loss)"].enumerated().compactMap { n, column -> SVGPlot.Series? in
                    row.history.curve(column).map { SVGPlot.Series(label: column, points: $0, colour: SVGPlot.palette[(k + n) % SVGPlot.palette.count], line: true) }
                }
                let plot = SVGPlot(title: loss, xLabel: "step", yLabel: loss, series: series)
                out.append(plot.svg(width: 420, height: 260, id: "\(id)-loss-\(k)"))
            }
            out.append("</div>")
        }
        // samples that cannot be read or drawn are said in their point's section; the report goes on
        if row.status != .unreadable {
            do {
                if let figure = try SweepReport.samplesFigure("\(row.folder)/run.h5") { out.append(figure) }
            } catch {
                out.append("<p class=\"failure\">the samples cannot be shown: \(SweepReport.escape(error.description))</p>")
            }
        }
        let pictures = ((try? FileManager.default.contentsOfDirectory(atPath: "\(row.folder)/analysis")) ?? []).filter { $0.hasSuffix(".png") }.sorted()
        let numbers = row.numbers.filter { !$0.key.hasPrefix("final.") && !$0.key.hasPrefix("best.") }.sorted { $0.key < $1.key }
        if !pictures.isEmpty || !numbers.isEmpty {
            out.append("<h4>Analyses</h4>")
            if !numbers.isEmpty {
                out.append("<div class=\"scroll numbers\"><table>" + numbers.map { "<tr><th>\(SweepReport.escape($0.key))</th><td class=\"n\">\(ComparisonTable.format($0.value))</td></tr>" }.joined() + "</table></div>")
            }
            out.append("<div class=\"pictures\">")
            for name in pictures {
                // a picture that is a link, a FIFO, or larger than a picture GenLab draws is left out
                guard let bytes = PrivateFile.read("\(row.folder)/analysis/\(name)", limit: SweepReport.maxPictureBytes) else { continue }
                let data = Data(bytes)
                let width = SweepReport.pngWidth(data).map { "style=\"width: min(100%, \(max($0, min(2 * $0, 480)))px)\"" } ?? ""
                out.append("<figure><img src=\"data:image/png;base64,\(data.base64EncodedString())\" alt=\"\(SweepReport.escape(name))\" \(width)><figcaption>\(SweepReport.escape(name))</figcaption></figure>")
            }
            out.append("</div>")
        }
        out.append("</section>")
        return out
    }

    /// The largest analysis picture the report takes in (GenLab's own are far smaller).
    static let maxPictureBytes = 64 << 20

    /// The width in pixels a PNG's header states.
    static func pngWidth(_ data: Data) -> Int? {
        guard data.count > 24 else { return nil }
        return data[16..<20].reduce(0) { $0 << 8 | Int($1) }
    }

    /// Shown width of a samples strip: twice its pixels, up to 720.
    static func stripWidth(_ samples: [SampleRecord]) -> Int {
        let shape = samples[0].images.shape
        let columns = min(8, shape.first ?? 1), width = shape.count == 4 ? shape[3] : 28
        return min(720, 2 * (columns * (width + 2) + 2))
    }

    /// The strip of the samples the run file at `runFile` recorded during training, as a
    /// figure; nil when there is no run file or it records no samples.
    static func samplesFigure(_ runFile: String) throws(RunError) -> String? {
        guard FileManager.default.fileExists(atPath: runFile) || PrivateFile.irregularity(runFile) != nil else { return nil }
        let samples: [SampleRecord]
        do { samples = try RunFile.readSamples(path: runFile, choosing: SweepReport.stripSteps) } catch { throw RunError(error) }
        guard !samples.isEmpty else { return nil }
        let (uri, steps) = try strip(samples, runFile: runFile)
        return "<h4>Samples during training</h4><figure><img src=\"\(uri)\" alt=\"samples at steps \(steps)\" style=\"width: min(100%, \(stripWidth(samples))px)\"><figcaption>a row per recorded step: \(steps)</figcaption></figure>"
    }

    /// The steps of the strip among the recorded `steps`: up to 6 (the first, the last, evenly
    /// between).
    static func stripSteps(_ steps: [Int]) -> [Int] {
        steps.count <= 6 ? steps : (0..<6).map { steps[$0 * (steps.count - 1) / 5] }
    }

    /// The first 8 images of each of `samples`, a row per step, as a PNG data URI; samples that
    /// cannot be drawn are an error naming `runFile`.
    static func strip(_ samples: [SampleRecord], runFile: String) throws(RunError) -> (uri: String, steps: String) {
        let chosen = Array(samples.indices)
        let shape = samples[chosen[0]].images.shape
        let columns = min(8, shape.first ?? 0), size = shape.dropFirst().reduce(1, *)
        var pixels: [Float] = []
        for i in chosen {
            let images = samples[i].images.floats ?? []
            guard images.count >= columns * size, samples[i].images.shape == shape else { continue }
            pixels += images.prefix(columns * size)
        }
        let rows = pixels.count / max(columns * size, 1)
        let png: [UInt8]
        do { png = try ImageGrid(images: pixels, shape: [rows * columns] + shape.dropFirst(), columns: columns).png() } catch {
            throw RunError(DataError(error.reason, "the recorded samples: \(error.message)", path: runFile))
        }
        return ("data:image/png;base64,\(Data(png).base64EncodedString())", chosen.map { String(samples[$0].step) }.joined(separator: ", "))
    }
}
