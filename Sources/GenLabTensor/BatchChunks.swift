/// Splitting a batch into runs of images whose im2col columns fit a workspace of bounded
/// size, so that convolution memory does not grow with the batch (and the columns stay in
/// cache where they can).
public enum BatchChunks {
    /// Floats of column workspace per chunk (4 MiB: the columns a chunk writes are read
    /// back while they are still in the cache, and peak memory stays low).
    public static let workspace = 1 << 20

    /// Columns a chunk's matrix product gets at least, when the batch has them and they fit
    /// `largestWorkspace`. A layer with many taps on a small grid (the lab DCGAN's 512→256,
    /// 6,400 × 25 floats per image) would otherwise get products of 150 columns, which ran
    /// about 20 % slower than its products of 800 columns (OpenBLAS, AVX-512).
    public static let minimumColumns = 1024

    /// The most floats a chunk's columns take to reach `minimumColumns` (64 MiB): a hostile
    /// layer with huge kernels on a 1×1 grid stays bounded.
    public static let largestWorkspace = 1 << 24

    /// Images per chunk when one image has `rows` × `plane` floats of columns (`plane` of
    /// them per row): as many as `workspace` holds, or enough for `minimumColumns` within
    /// `largestWorkspace`; then evened out over the chunks that takes (64 images at 41 a
    /// chunk: two chunks of 32).
    public static func size(batch: Int, rows: Int, plane: Int) -> Int {
        let plane = max(plane, 1), batch = max(batch, 1), floats = max(rows * plane, 1)
        let byWorkspace = workspace / floats
        let byColumns = min((minimumColumns + plane - 1) / plane, largestWorkspace / floats)
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
