import Foundation
import GenLabResults
import GenLabStore

/// The figures of a comparison: each loss's curves of every point overlaid, and each final
/// number against each swept key; a point's colour follows its swept value (a sequential
/// scale over the values of a single numeric key, else one colour per point).
extension SweepComparison {
    /// A point's name in legends: its swept values, or its run id.
    func label(_ row: Row) -> String {
        keys.isEmpty ? row.runID : zip(keys, row.values).map { "\($0.split(separator: ".").last ?? "")=\($1)" }.joined(separator: ", ")
    }

    /// One colour per row.
    var colours: [String] {
        let numeric = keys.count == 1 && rows.allSatisfy { Double($0.values[0]) != nil }
        guard numeric else { return rows.indices.map { SVGPlot.palette[$0 % SVGPlot.palette.count] } }
        let distinct = Array(Set(rows.compactMap { Double($0.values[0]) })).sorted()
        return rows.map { row in
            let rank = distinct.firstIndex(of: Double(row.values[0]) ?? 0) ?? 0
            return SVGPlot.sequential(distinct.count > 1 ? Double(rank) / Double(distinct.count - 1) : 0)
        }
    }

    /// A figure per loss: its value against the step, a line per point.
    public var lossFigures: [(name: String, plot: SVGPlot)] {
        let losses = Set(rows.flatMap { $0.history.columns.keys }).sorted()
        let colours = self.colours
        return losses.map { loss in
            let series = rows.enumerated().compactMap { i, row -> SVGPlot.Series? in
                guard let points = row.history.curve(loss) else { return nil }
                return SVGPlot.Series(label: label(row), points: points, colour: colours[i], line: true)
            }
            return ("loss-\(loss)", SVGPlot(title: "\(loss) during training", xLabel: "step", yLabel: loss, series: series))
        }
    }

    /// A figure per final number and swept key (but a seed, when other keys are swept): the
    /// number of each point against its value of the key, on a numeric axis when there are more
    /// than 10 values and all are numbers, else one place per value (in numeric order when
    /// they are numbers).
    public var metricFigures: [(name: String, plot: SVGPlot)] {
        let colours = self.colours
        var figures: [(name: String, plot: SVGPlot)] = []
        for (k, key) in keys.enumerated() where key != "seed" || keys.count == 1 {
            let values = rows.map(\.values[k])
            var categories: [String] = []
            for v in values where !categories.contains(v) { categories.append(v) }
            let numbers = values.allSatisfy { Double($0) != nil }
            if numbers { categories.sort { Double($0)! < Double($1)! } }
            let numeric = numbers && categories.count > 10
            let x = { (v: String) in numeric ? Double(v) ?? .nan : Double(categories.firstIndex(of: v) ?? 0) }
            for column in columns where !column.hasPrefix("best.") && rows.contains(where: { $0.numbers[column]?.isFinite ?? false }) {
                let series = rows.enumerated().map { i, row in
                    SVGPlot.Series(label: label(row), points: [(x(row.values[k]), row.numbers[column] ?? .nan)], colour: colours[i], line: false)
                }
                figures.append(("\(column)-vs-\(key)", SVGPlot(title: "\(column) against \(key)", xLabel: key, yLabel: column,
                                                               series: series, categories: numeric ? nil : categories)))
            }
        }
        return figures
    }

    /// Writes every figure as `<name>.svg` into `folder` (created if needed); returns the paths.
    public func writeFigures(to folder: String) throws(RunError) -> [String] {
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw RunError(.io, "cannot create the figures folder", path: folder)
        }
        var paths: [String] = []
        for (name, plot) in lossFigures + metricFigures {
            let path = "\(folder)/\(SweepComparison.fileName(name)).svg"
            do { try DurableFile.replace(path, with: Array(plot.svg(id: SweepComparison.identifier(name)).utf8)) } catch {
                throw RunError(.io, "cannot write the figure: \(error.message)", path: path)
            }
            paths.append(path)
        }
        return paths
    }

    /// A figure's name made safe for a file name.
    static func fileName(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_" ? $0 : "_" })
    }

    /// A figure's name made safe for an SVG id (letters, digits, "-", "_").
    static func identifier(_ name: String) -> String {
        "figure-" + String(name.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" })
    }
}

extension HistoryRows {
    /// The finite values of `column` against their steps (a validation column holds NaN in
    /// the rows between validations); nil without the column.
    func curve(_ column: String) -> [(Double, Double)]? {
        columns[column].map { values in zip(steps, values).filter { $0.1.isFinite }.map { (Double($0), Double($1)) } }
    }
}
