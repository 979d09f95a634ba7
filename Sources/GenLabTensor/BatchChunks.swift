/// Splitting a batch into runs of images whose im2col columns fit a fixed workspace, so
/// that convolution memory does not grow with the batch (and the columns stay in cache).
public enum BatchChunks {
    /// Floats of column workspace per chunk (4 MiB: the columns a chunk writes are read
    /// back while they are still in the cache, and peak memory stays low).
    public static let workspace = 1 << 20

    /// Columns a chunk's matrix product gets at least, when the batch has them. A layer with
    /// many taps on a small grid (the lab DCGAN's 512→256, 6,400 × 25 floats per image) would
    /// otherwise get products of 150 columns, well below the speed of wide ones; with 1,024 its
    /// step ran 7 – 10 % faster.
    public static let minimumColumns = 1024

    /// Images per chunk when one image has `rows` × `plane` floats of columns (`plane` of
    /// them per row): as many as the workspace holds, or enough for `minimumColumns`; then
    /// evened out over the chunks that takes (64 images at 41 a chunk: two chunks of 32).
    public static func size(batch: Int, rows: Int, plane: Int) -> Int {
        let plane = max(plane, 1), batch = max(batch, 1)
        let byWorkspace = workspace / max(rows * plane, 1), byColumns = (minimumColumns + plane - 1) / plane
        let largest = max(1, min(batch, max(byWorkspace, byColumns)))
        let chunks = (batch + largest - 1) / largest
        return (batch + chunks - 1) / chunks
    }

    /// The (start, count) of each chunk of `batch` images.
    public static func ranges(batch: Int, rows: Int, plane: Int) -> [(start: Int, count: Int)] {
        let size = size(batch: batch, rows: rows, plane: plane)
        return stride(from: 0, to: batch, by: size).map { ($0, min(size, batch - $0)) }
    }
}
