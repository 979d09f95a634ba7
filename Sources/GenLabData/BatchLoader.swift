import GenLabSpec
import GenLabTensor

/// Shuffled mini-batches of an image set, normalised into a reused Float tensor.
///
/// The order of epoch e is a Fisher–Yates shuffle drawn from a generator seeded with
/// (seed, stream e), so any batch of any epoch can be produced again without replaying the
/// ones before it: a run resumed mid-epoch sees the same batches.
public final class BatchLoader {
    public let images: ImageSet
    public let batchSize: Int
    public let dropLast: Bool
    public let shuffle: Bool
    /// With `shuffle`, the order of `dataset.shuffle: block` instead of a full shuffle.
    public let blocks: BlockShuffle?
    public let seed: UInt64
    public let transform: PixelTransform

    /// The batch's images, (n, C, H, W); reused from batch to batch.
    public let batch = Tensor(zeros: [0])
    /// The batch's labels.
    public private(set) var labels: [Int32] = []

    private var orderEpoch: Int?
    private var order: [Int] = []
    /// With `blocks`: the epoch's buffers, and the last one asked to be read ahead.
    private var buffers: [(start: Int, blocks: [Range<Int>])] = []
    private var readAhead: Int?
    private var gathered: [UInt8] = []

    public init(images: ImageSet, batchSize: Int, dropLast: Bool, shuffle: Bool, blocks: BlockShuffle? = nil, seed: UInt64,
                normalization: DatasetSpec.Normalization) {
        self.images = images
        self.batchSize = batchSize
        self.dropLast = dropLast
        self.shuffle = shuffle
        self.blocks = blocks
        self.seed = seed
        transform = PixelTransform(normalization, channels: images.imageShape[0])
    }

    /// `images` as one normalised batch, in order, with their labels (the holdout, a few
    /// test images).
    public static func whole(_ images: ImageSet, normalization: DatasetSpec.Normalization) -> (images: Tensor, labels: [Int32]) {
        let loader = BatchLoader(images: images, batchSize: max(images.count, 1), dropLast: false, shuffle: false, seed: 0,
                                 normalization: normalization)
        loader.load(epoch: 0, index: 0)
        return (loader.batch, loader.labels)
    }

    /// Batches in one epoch.
    public var batchesPerEpoch: Int { BatchLoader.batchesPerEpoch(images: images.count, batchSize: batchSize, dropLast: dropLast) }

    /// Batches in one epoch of `images` images.
    public static func batchesPerEpoch(images: Int, batchSize: Int, dropLast: Bool) -> Int {
        dropLast ? images / batchSize : (images + batchSize - 1) / batchSize
    }

    /// The image indices of epoch `epoch`, in the order they are served.
    public func order(epoch: Int) -> [Int] {
        blockEpoch(epoch)?.order ?? fullOrder(epoch: epoch)
    }

    private func fullOrder(epoch: Int) -> [Int] {
        var indices = Array(0..<images.count)
        guard shuffle else { return indices }
        var generator = RandomGenerator(seed: seed, stream: .shuffle(epoch: epoch))
        generator.shuffle(&indices)
        return indices
    }

    private func blockEpoch(_ epoch: Int) -> BlockShuffle.Epoch? {
        guard shuffle, let blocks else { return nil }
        var generator = RandomGenerator(seed: seed, stream: .shuffle(epoch: epoch))
        return blocks.epoch(count: images.count, generator: &generator)
    }

    /// With `blocks`, asks the system to read the buffer of position `start` and the next one
    /// ahead of their batches (each once an epoch).
    private func readAhead(from start: Int) {
        guard let current = buffers.lastIndex(where: { $0.start <= start }) else { return }
        for buffer in current...min(current + 1, buffers.count - 1) where buffer > (readAhead ?? -1) {
            for range in buffers[buffer].blocks { images.prefetch(range) }
            readAhead = buffer
        }
    }

    /// Fills `batch` and `labels` with batch `index` of epoch `epoch` and returns its size.
    @discardableResult
    public func load(epoch: Int, index: Int) -> Int {
        if orderEpoch != epoch {
            if let blocked = blockEpoch(epoch) {
                (order, buffers) = (blocked.order, blocked.buffers)
            } else {
                order = fullOrder(epoch: epoch)
            }
            orderEpoch = epoch
            readAhead = nil
        }
        let start = index * batchSize
        readAhead(from: start)
        let n = max(0, min(batchSize, images.count - start))
        let shape = images.imageShape, size = images.imageSize
        batch.resize(to: [n] + shape)
        if gathered.count < n * size { gathered = [UInt8](repeating: 0, count: batchSize * size) }
        labels.removeAll(keepingCapacity: true)
        gathered.withUnsafeMutableBufferPointer { target in
            for k in 0..<n {
                let i = order[start + k]
                images.copyImage(i, into: target.baseAddress! + k * size)
                labels.append(images.labels[i])
            }
        }
        gathered.withUnsafeBufferPointer { bytes in
            transform.apply(bytes, count: n, plane: shape[1] * shape[2], into: batch.data)
        }
        return n
    }
}
