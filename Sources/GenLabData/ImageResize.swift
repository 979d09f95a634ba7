/// torchvision's `Resize(size)` then `CenterCrop(size)` on 8-bit images, producing
/// channel-major bytes (C × size × size).
enum ImageResize {
    /// Scales the short side to `size` (the long side to ⌊size·long/short⌋, as torchvision)
    /// with antialiased bilinear filtering, then crops the centre (top/left offsets
    /// rounded as torchvision's `CenterCrop`).
    static func resizeAndCenterCrop(_ image: DecodedImage, size: Int) -> [UInt8] {
        let (w, h) = (image.width, image.height)
        let (newW, newH) = w <= h ? (size, size * h / w) : (size * w / h, size)
        let top = Int((Double(newH - size) / 2).rounded()), left = Int((Double(newW - size) / 2).rounded())
        let columns = weights(from: w, to: newW, keep: left..<(left + size))
        let rows = weights(from: h, to: newH, keep: top..<(top + size))
        var out = [UInt8](repeating: 0, count: image.channels * size * size)
        var row = [Double](repeating: 0, count: w)
        for c in 0..<image.channels {
            for (y, rowTaps) in rows.enumerated() {
                for x in 0..<w {
                    var sum = 0.0
                    for (source, weight) in rowTaps { sum += weight * Double(image.pixels[(source * w + x) * image.channels + c]) }
                    row[x] = sum
                }
                for (x, columnTaps) in columns.enumerated() {
                    var sum = 0.0
                    for (source, weight) in columnTaps { sum += weight * row[source] }
                    out[(c * size + y) * size + x] = UInt8(max(0, min(255, sum.rounded())))
                }
            }
        }
        return out
    }

    /// For each output position in `keep`, the input positions and weights of a triangle
    /// filter widened by the scale when shrinking (antialiasing), normalised to sum 1.
    static func weights(from input: Int, to output: Int, keep: Range<Int>) -> [[(Int, Double)]] {
        let scale = Double(input) / Double(output)
        let support = max(scale, 1)
        return keep.map { o in
            let center = (Double(o) + 0.5) * scale
            let low = max(0, Int((center - support).rounded(.down)))
            let high = min(input, Int((center + support).rounded(.up)))
            var taps: [(Int, Double)] = []
            for i in low..<high {
                let weight = max(0, 1 - abs((Double(i) + 0.5 - center) / support))
                if weight > 0 { taps.append((i, weight)) }
            }
            let total = taps.reduce(0) { $0 + $1.1 }
            if total == 0 { return [(min(input - 1, max(0, Int(center))), 1)] }
            return taps.map { ($0.0, $0.1 / total) }
        }
    }
}
