/// Splitting a batch into runs of images whose im2col columns fit a fixed workspace, so
/// that convolution memory does not grow with the batch (and the columns stay in cache).
public enum BatchChunks {
    /// Floats of column workspace per chunk (4 MiB: the columns a chunk writes are read
    /// back while they are still in the cache, and peak memory stays low).
    public static let workspace = 1 << 20

    /// Images per chunk when one image needs `floatsPerImage` floats of columns.
    public static func size(batch: Int, floatsPerImage: Int) -> Int {
        max(1, min(batch, workspace / max(floatsPerImage, 1)))
    }

    /// The (start, count) of each chunk of `batch` images.
    public static func ranges(batch: Int, floatsPerImage: Int) -> StrideTo<Int> {
        stride(from: 0, to: batch, by: size(batch: batch, floatsPerImage: floatsPerImage))
    }
}
