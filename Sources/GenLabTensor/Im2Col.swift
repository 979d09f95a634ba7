/// Unfolding images into the column matrix of a convolution over the whole batch, and its
/// adjoint.
///
/// Layout of the column matrix: row `(c·kh + i)·kw + j` (one per kernel tap), column
/// `n·P + oh·OW + ow` (one per output position of every image), P = OH·OW. With it a
/// convolution of the whole batch is one sgemm: W (O × C·kh·kw) · cols (C·kh·kw × N·P).
public enum Im2Col {
    /// Fills `columns` (patchSize × batch·P) from `images` (batch × C × H × W).
    public static func unfold(
        _ images: UnsafePointer<Float>, batch: Int, geometry g: ConvGeometry,
        into columns: UnsafeMutablePointer<Float>
    ) {
        let oh = g.outputHeight, ow = g.outputWidth, plane = oh * ow
        let rowLength = batch * plane
        let imageSize = g.channels * g.height * g.width
        for c in 0..<g.channels {
            for i in 0..<g.kernelHeight {
                let rows = g.validRange(kernelOffset: i, inputSize: g.height, outputSize: oh)
                for j in 0..<g.kernelWidth {
                    let cols = g.validRange(kernelOffset: j, inputSize: g.width, outputSize: ow)
                    let row = columns + ((c * g.kernelHeight + i) * g.kernelWidth + j) * rowLength
                    for n in 0..<batch {
                        let source = images + n * imageSize + c * g.height * g.width
                        let target = row + n * plane
                        for y in 0..<oh {
                            let out = target + y * ow
                            guard rows.contains(y) else {
                                out.update(repeating: 0, count: ow)
                                continue
                            }
                            let inRow = source + (y * g.stride - g.padding + i) * g.width
                            out.update(repeating: 0, count: cols.lowerBound)
                            if g.stride == 1 {
                                (out + cols.lowerBound).update(
                                    from: inRow + cols.lowerBound - g.padding + j, count: cols.count)
                            } else {
                                for x in cols { out[x] = inRow[x * g.stride - g.padding + j] }
                            }
                            (out + cols.upperBound).update(repeating: 0, count: ow - cols.upperBound)
                        }
                    }
                }
            }
        }
    }

    /// Sets `images` (batch × C × H × W) to the sum, over every kernel tap, of the column
    /// entries that `unfold` would have read from each pixel: the adjoint of `unfold`.
    public static func fold(
        _ columns: UnsafePointer<Float>, batch: Int, geometry g: ConvGeometry,
        into images: UnsafeMutablePointer<Float>
    ) {
        let oh = g.outputHeight, ow = g.outputWidth, plane = oh * ow
        let rowLength = batch * plane
        let imageSize = g.channels * g.height * g.width
        images.update(repeating: 0, count: batch * imageSize)
        for c in 0..<g.channels {
            for i in 0..<g.kernelHeight {
                let rows = g.validRange(kernelOffset: i, inputSize: g.height, outputSize: oh)
                for j in 0..<g.kernelWidth {
                    let cols = g.validRange(kernelOffset: j, inputSize: g.width, outputSize: ow)
                    let row = columns + ((c * g.kernelHeight + i) * g.kernelWidth + j) * rowLength
                    for n in 0..<batch {
                        let target = images + n * imageSize + c * g.height * g.width
                        let source = row + n * plane
                        for y in rows {
                            let inRow = target + (y * g.stride - g.padding + i) * g.width - g.padding + j
                            let out = source + y * ow
                            if g.stride == 1 {
                                for x in cols { inRow[x] += out[x] }
                            } else {
                                for x in cols { inRow[x * g.stride] += out[x] }
                            }
                        }
                    }
                }
            }
        }
    }
}
