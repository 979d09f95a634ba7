import GenLabTensor

/// `dataset.shuffle: block`, an epoch's order for a dataset read from a file larger than
/// memory: the images are cut into blocks of consecutive images (1 MiB of them), the blocks
/// are put in a seeded random order, and that order is cut into buffers of 64 blocks (64 MiB)
/// whose images are shuffled among themselves. Each buffer then reads 64 runs of 1 MiB from
/// the file instead of one random image after another over all of it.
///
/// What changes for training: a batch's images come from the 64 blocks of one buffer (two at
/// a buffer's end), not from the whole dataset, so images stored side by side (a class
/// folder's files, in order) tend to meet in batches more often than under a full shuffle;
/// every image is still seen once per epoch, and the order is again a function of (seed,
/// epoch), so a resumed run sees the same batches.
public struct BlockShuffle: Equatable, Sendable {
    /// The bytes of images a block holds, and the blocks a buffer shuffles together.
    public static let blockBytes = 1 << 20
    public static let bufferBlocks = 64

    /// Images per block: 1 MiB of them, at least one.
    public let blockImages: Int

    /// The blocks of images of `imageSize` bytes.
    public init(imageSize: Int) {
        blockImages = max(1, BlockShuffle.blockBytes / max(imageSize, 1))
    }

    /// Images per buffer.
    public var bufferImages: Int { blockImages * BlockShuffle.bufferBlocks }

    /// An epoch's order, and where each buffer starts in it and which images it reads.
    public struct Epoch {
        public var order: [Int]
        /// Per buffer: its first position in `order`, and its blocks' images.
        public var buffers: [(start: Int, blocks: [Range<Int>])]
    }

    /// The order of images `0..<count` drawn from `generator`: the blocks shuffled, then each
    /// buffer's images shuffled.
    public func epoch(count: Int, generator: inout RandomGenerator) -> Epoch {
        var blocks = Array(0..<((count + blockImages - 1) / blockImages))
        generator.shuffle(&blocks)
        var epoch = Epoch(order: [], buffers: [])
        epoch.order.reserveCapacity(count)
        for first in stride(from: 0, to: blocks.count, by: BlockShuffle.bufferBlocks) {
            let ranges = blocks[first..<min(first + BlockShuffle.bufferBlocks, blocks.count)].map {
                ($0 * blockImages)..<min(($0 + 1) * blockImages, count)
            }
            var buffer = ranges.flatMap { $0 }
            generator.shuffle(&buffer)
            epoch.buffers.append((epoch.order.count, ranges))
            epoch.order += buffer
        }
        return epoch
    }
}
