import Glibc
import Synchronization

/// Storage that tensors gave back (`Tensor.release()`), kept for the next tensor that grows:
/// PyTorch's caching allocator in small. A network's input gradients are read once, by the
/// layer before, and a convolution's workspaces only during its pass, so a training step
/// needs only a few of them at a time; given back as soon as they are read, the same blocks
/// serve every layer of every step, and the process holds the largest set alive at once
/// instead of one of each per layer. Blocks stay allocated (their pages mapped) until
/// `drain()`.
public final class StoragePool: Sendable {
    /// A block of `capacity` floats.
    public struct Block: @unchecked Sendable {
        public let data: UnsafeMutablePointer<Float>
        public let capacity: Int

        /// `capacity` floats at `data`, which came from `malloc`, `calloc` or `realloc`.
        public init(data: UnsafeMutablePointer<Float>, capacity: Int) {
            (self.data, self.capacity) = (data, capacity)
        }
    }

    private let kept = Mutex([Block]())
    private let poisons = Atomic(false)

    /// The pool every tensor uses.
    public static let shared = StoragePool()

    /// An empty pool.
    public init() {}

    /// A kept block for `count` floats, taken out of the pool: the smallest of at least
    /// `count` and at most twice that; else the largest smaller one, grown to `count`
    /// (`realloc`: a large block is remapped, not copied, so only its new pages are faulted
    /// in); else nil. Growing rather than allocating beside too-small blocks keeps the pool at
    /// the few sizes a backward pass needs at once when one pass's gradients grow layer after
    /// layer (a discriminator's, from its logits back to its images) and another's shrink;
    /// a small tensor never takes a block many times its size, which it would keep.
    public func take(atLeast count: Int) -> Block? {
        let taken: Block? = kept.withLock { blocks in
            var fitting: Int?, smaller: Int?
            for (i, block) in blocks.enumerated() {
                if block.capacity < count {
                    if smaller.map({ block.capacity > blocks[$0].capacity }) ?? true { smaller = i }
                } else if block.capacity / 2 <= count, fitting.map({ block.capacity < blocks[$0].capacity }) ?? true {
                    fitting = i
                }
            }
            return (fitting ?? smaller).map { blocks.remove(at: $0) }
        }
        guard let taken, taken.capacity < count else { return taken }
        Tensor.ensureRoom(forFloats: count - taken.capacity)
        guard let grown = realloc(taken.data, count * MemoryLayout<Float>.stride) else { Tensor.exitOutOfMemory(allocating: count) }
        return Block(data: grown.bindMemory(to: Float.self, capacity: count), capacity: count)
    }

    /// Keeps `block` (from `malloc`, `calloc` or `realloc`) for a later `take`.
    public func give(_ block: Block) {
        kept.withLock { $0.append(block) }
    }

    /// Frees every kept block (between models whose memory is measured apart).
    public func drain() {
        kept.withLock { blocks in
            for block in blocks { free(block.data) }
            blocks.removeAll()
        }
    }

    /// The capacities of the kept blocks, in the order they were given.
    public var capacities: [Int] { kept.withLock { $0.map(\.capacity) } }

    /// Whether the storage a tensor's `resize(to:)` grows into is filled with NaN (taken from
    /// the pool or new), so that a layer reading storage it has not written since shows as
    /// NaN in its results: a test mode, left on once on.
    public var poisonsGrownStorage: Bool {
        get { poisons.load(ordering: .relaxed) }
        set { poisons.store(newValue, ordering: .relaxed) }
    }
}
