import Foundation

/// A line or scatter figure as standalone SVG text (axes, "nice" ticks, axis labels, title,
/// a legend beside the plot), with no fonts or scripts to fetch: what `compare --plot` writes
/// and `report` inlines. Values that are not finite break a line and are left out.
public struct SVGPlot: Sendable {
    /// One line (or set of markers) with its legend label and colour.
    public struct Series: Sendable {
        public var label: String
        public var points: [(x: Double, y: Double)]
        public var colour: String
        /// Joined by a line (else markers only).
        public var line: Bool

        public init(label: String, points: [(x: Double, y: Double)], colour: String, line: Bool) {
            self.label = label
            self.points = points
            self.colour = colour
            self.line = line
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    /// Names of the x positions 0, 1, … for a categorical axis (nil: numeric).
    public var categories: [String]?

    public init(title: String, xLabel: String, yLabel: String, series: [Series], categories: [String]? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.categories = categories
    }

    /// The ten colours of matplotlib's tab10, for categories.
    public static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    /// A colour of a sequential scale (dark blue → green → yellow, as viridis) for t in [0, 1].
    public static func sequential(_ t: Double) -> String {
        let stops: [(Double, Double, Double)] = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]
        let x = min(max(t.isFinite ? t : 0, 0), 1) * Double(stops.count - 1)
        let i = min(Int(x), stops.count - 2), f = x - Double(i)
        let (a, b) = (stops[i], stops[i + 1])
        let channel = { (u: Double, v: Double) in Int((u + (v - u) * f).rounded()) }
        return String(format: "#%02x%02x%02x", channel(a.0, b.0), channel(a.1, b.1), channel(a.2, b.2))
    }

    /// About `count` round tick values (1, 2 or 5 × 10ᵏ apart) covering [low, high].
    static func ticks(_ low: Double, _ high: Double, count: Int = 5) -> [Double] {
        guard high > low else { return [low] }
        let raw = (high - low) / Double(count), power = Foundation.pow(10, Foundation.floor(Foundation.log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw } ?? 10 * power
        let first = Foundation.ceil(low / step - 1e-9)
        return stride(from: first, through: Foundation.floor(high / step + 1e-9), by: 1).map { $0 * step }
    }

    static func label(_ x: Double) -> String {
        if x == 0 { return "0" }
        if abs(x) >= 1e5 || abs(x) < 1e-3 { return String(format: "%.1e", x) }
        return String(format: "%g", (x * 1e6).rounded() / 1e6)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// The figure, `width` × `height` pixels (the legend included); `id` names its clip path,
    /// and must differ between the figures of one page.
    public func svg(width: Int = 640, height: Int = 360, id: String = "plot") -> String {
        let legendWidth = series.count > 1 ? 170.0 : 0
        let (left, right, top, bottom) = (64.0, Double(width) - 16 - legendWidth, 32.0, Double(height) - 48)
        let finite = series.flatMap { $0.points.filter { $0.x.isFinite && $0.y.isFinite } }
        var (x0, x1) = (finite.map(\.x).min() ?? 0, finite.map(\.x).max() ?? 1)
        var (y0, y1) = (finite.map(\.y).min() ?? 0, finite.map(\.y).max() ?? 1)
        if let categories { (x0, x1) = (-0.5, Double(max(categories.count, 1)) - 0.5) }
        if x1 <= x0 { (x0, x1) = (x0 - 1, x1 + 1) }
        if categories == nil && series.contains(where: { !$0.line }) {
            // markers at the ends stay whole
            let margin = (x1 - x0) * 0.04
            (x0, x1) = (x0 - margin, x1 + margin)
        }
        if y1 <= y0 { (y0, y1) = (y0 - 1, y1 + 1) }
        let pad = (y1 - y0) * 0.05
        (y0, y1) = (y0 - pad, y1 + pad)
        let px = { (x: Double) in left + (x - x0) / (x1 - x0) * (right - left) }
        let py = { (y: Double) in bottom - (y - y0) / (y1 - y0) * (bottom - top) }
        let f = { (v: Double) in String(format: "%.1f", v) }
        var out = ["<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" font-family=\"sans-serif\" font-size=\"12\">",
                   "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
                   "<text x=\"\(f((left + right) / 2))\" y=\"18\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">\(SVGPlot.escape(title))</text>"]
        // grid, ticks and their labels
        for y in SVGPlot.ticks(y0, y1) {
            out.append("<line x1=\"\(f(left))\" x2=\"\(f(right))\" y1=\"\(f(py(y)))\" y2=\"\(f(py(y)))\" stroke=\"#e5e5e5\"/>")
            out.append("<text x=\"\(f(left - 6))\" y=\"\(f(py(y) + 4))\" text-anchor=\"end\">\(SVGPlot.label(y))</text>")
        }
        let xTicks: [(Double, String)] = categories.map { names in names.enumerated().map { (Double($0.offset), $0.element) } }
            ?? SVGPlot.ticks(x0, x1).map { ($0, SVGPlot.label($0)) }
        for (x, name) in xTicks {
            out.append("<line x1=\"\(f(px(x)))\" x2=\"\(f(px(x)))\" y1=\"\(f(bottom))\" y2=\"\(f(bottom + 4))\" stroke=\"#333\"/>")
            out.append("<text x=\"\(f(px(x)))\" y=\"\(f(bottom + 16))\" text-anchor=\"middle\">\(SVGPlot.escape(String(name.prefix(14))))</text>")
        }
        out.append("<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(right - left))\" height=\"\(f(bottom - top))\" fill=\"none\" stroke=\"#333\"/>")
        out.append("<text x=\"\(f((left + right) / 2))\" y=\"\(f(Double(height) - 10))\" text-anchor=\"middle\">\(SVGPlot.escape(xLabel))</text>")
        out.append("<text transform=\"translate(14 \(f((top + bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(SVGPlot.escape(yLabel))</text>")
        // the data, clipped to the plot
        out.append("<clipPath id=\"\(id)\"><rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(right - left))\" height=\"\(f(bottom - top))\"/></clipPath><g clip-path=\"url(#\(id))\">")
        for s in series {
            if s.line {
                var segment: [String] = []
                for p in s.points + [(x: Double.nan, y: Double.nan)] {
                    if p.x.isFinite && p.y.isFinite {
                        segment.append("\(f(px(p.x))),\(f(py(p.y)))")
                    } else {
                        if segment.count > 1 {
                            out.append("<polyline fill=\"none\" stroke=\"\(s.colour)\" stroke-width=\"1.5\" points=\"\(segment.joined(separator: " "))\"/>")
                        }
                        segment = []
                    }
                }
            } else {
                for p in s.points where p.x.isFinite && p.y.isFinite {
                    out.append("<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"4\" fill=\"\(s.colour)\" fill-opacity=\"0.85\"/>")
                }
            }
        }
        out.append("</g>")
        // the legend: at most 14 entries
        if legendWidth > 0 {
            for (i, s) in series.prefix(14).enumerated() {
                let y = top + 8 + Double(i) * 16
                out.append("<rect x=\"\(f(right + 12))\" y=\"\(f(y - 8))\" width=\"12\" height=\"10\" fill=\"\(s.colour)\"/>")
                out.append("<text x=\"\(f(right + 30))\" y=\"\(f(y + 1))\">\(SVGPlot.escape(String(s.label.prefix(24))))</text>")
            }
            if series.count > 14 {
                out.append("<text x=\"\(f(right + 12))\" y=\"\(f(top + 8 + 14 * 16 + 1))\">… \(series.count - 14) more</text>")
            }
        }
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }
}
