import Foundation

/// Scatter plots as pixels: panels side by side, each a white square with a grey frame, the
/// points drawn as small squares coloured by class (matplotlib's tab10 colours), marked
/// points as larger squares with a black border; each panel's axes span its points' range.
public struct ScatterPicture: Sendable {
    /// One panel: x and y of each point, its class, and whether it is marked.
    public struct Panel: Sendable {
        public var x: [Float]
        public var y: [Float]
        public var classes: [Int32]
        public var marked: [Bool]

        public init(x: [Float], y: [Float], classes: [Int32], marked: [Bool]) {
            self.x = x
            self.y = y
            self.classes = classes
            self.marked = marked
        }
    }

    static let palette: [(UInt8, UInt8, UInt8)] = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
                                                   (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)]

    /// The panels drawn into an RGB grid of `size` × `size` pixels each (points that are not
    /// finite are left out).
    public static func render(_ panels: [Panel], size: Int = 320) throws(DataError) -> ImageGrid {
        let margin = 12, inner = size - 2 * margin
        var images: [Float] = []
        for panel in panels {
            var pixels = [Float](repeating: 1, count: 3 * size * size)
            func paint(_ px: Int, _ py: Int, _ color: (UInt8, UInt8, UInt8)) {
                guard (0..<size).contains(px), (0..<size).contains(py) else { return }
                for (c, v) in [color.0, color.1, color.2].enumerated() { pixels[(c * size + py) * size + px] = Float(v) / 255 }
            }
            for t in (margin - 1)...(size - margin) {
                for (px, py) in [(t, margin - 1), (t, size - margin), (margin - 1, t), (size - margin, t)] { paint(px, py, (160, 160, 160)) }
            }
            let finite = panel.x.indices.filter { panel.x[$0].isFinite && panel.y[$0].isFinite }
            let xs = finite.map { panel.x[$0] }, ys = finite.map { panel.y[$0] }
            let (x0, x1) = (xs.min() ?? 0, xs.max() ?? 1), (y0, y1) = (ys.min() ?? 0, ys.max() ?? 1)
            let place = { (v: Float, lo: Float, hi: Float) -> Int in
                let position = Double(v - lo) / max(Double(hi) - Double(lo), 1e-12)
                return Int(min(max(position, 0), 1) * Double(inner - 1))
            }
            // marked points last, on top
            for i in finite.sorted(by: { !panel.marked[$0] && panel.marked[$1] }) {
                let px = margin + place(panel.x[i], x0, x1), py = size - 1 - margin - place(panel.y[i], y0, y1)
                let color = palette[(Int(panel.classes[i]) % palette.count + palette.count) % palette.count], r = panel.marked[i] ? 3 : 1
                for dy in -r...r {
                    for dx in -r...r { paint(px + dx, py + dy, panel.marked[i] && (abs(dx) == r || abs(dy) == r) ? (0, 0, 0) : color) }
                }
            }
            images += pixels
        }
        return try ImageGrid(images: images, shape: [panels.count, 3, size, size], columns: panels.count, padding: 0)
    }
}
