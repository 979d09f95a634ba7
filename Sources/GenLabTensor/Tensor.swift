import Glibc

/// A contiguous, row-major Float32 array with a shape (NCHW for images).
///
/// A tensor owns its storage. Its capacity only grows: `resize(to:)` to a shape that fits
/// the current capacity never allocates, which is how layers reuse their workspaces from
/// one training step to the next once shapes are known. A result read once (an input
/// gradient) is `release()`d after its reader has run, for other tensors to reuse.
public final class Tensor {
    /// The dimensions, outermost first.
    public private(set) var shape: [Int]
    /// The number of elements, the product of `shape`.
    public private(set) var count: Int
    /// The number of elements the storage can hold without reallocating.
    public private(set) var capacity: Int
    /// The storage; valid for `count` elements until the next `resize(to:)` that grows.
    public private(set) var data: UnsafeMutablePointer<Float>

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        self.shape = shape
        self.count = Tensor.elementCount(shape)
        self.capacity = count
        self.data = Tensor.zeroedStorage(count)
    }

    /// Zeroed storage for `count` floats from calloc: large blocks come straight from the
    /// kernel as untouched zero pages, so memory is committed only where values are written.
    private static func zeroedStorage(_ count: Int) -> UnsafeMutablePointer<Float> {
        ensureRoom(forFloats: count)
        guard let raw = calloc(max(count, 1), MemoryLayout<Float>.stride) else { exitOutOfMemory(allocating: count) }
        return raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// Under a `ulimit -v`, ends the program with the out-of-memory message when storage of
    /// `count` floats (256 KiB or more) would leave less than `AddressSpace.reserve` to map.
    static func ensureRoom(forFloats count: Int) {
        guard count >= 1 << 16, let room = AddressSpace.room,
              count > (room - AddressSpace.reserve) / MemoryLayout<Float>.stride else { return }
        exitOutOfMemory(allocating: count)
    }

    /// `exitOutOfMemory` for storage of `count` floats.
    static func exitOutOfMemory(allocating count: Int) -> Never {
        let gib = Double(count) * Double(MemoryLayout<Float>.stride) / Double(1 << 30)
        exitOutOfMemory(String(format: "allocating %.2f GiB", gib))
    }

    /// Ends the program after a failed allocation (`doing` says which): a message and exit
    /// status 1 (a run file keeps its last commit), not a trap. Models are checked against
    /// the memory this process may use before they are built, so an allocation fails only
    /// when something else took that memory.
    public static func exitOutOfMemory(_ doing: String) -> Never {
        fputs("genlab: out of memory \(doing); the last commit of any run file is kept\n", stderr)
        exit(1)
    }

    /// A tensor holding `values`; their number must equal the product of `shape`.
    public convenience init(shape: [Int], values: [Float]) throws(ShapeError) {
        guard Tensor.elementCount(shape) == values.count else {
            throw ShapeError("\(values.count) values do not fill a tensor of shape \(shape.shapeDescription)")
        }
        self.init(zeros: shape)
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: values.count) }
    }

    /// A tensor filled with `value`.
    public convenience init(repeating value: Float, shape: [Int]) {
        self.init(zeros: shape)
        fill(value)
    }

    deinit { free(data) }

    /// The product of the dimensions.
    public static func elementCount(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    /// The product of `shape`, or nil when a size is negative or the product overflows.
    public static func checkedElementCount(_ shape: [Int]) -> Int? {
        var product = 1
        for size in shape {
            guard size >= 0 else { return nil }
            let (result, overflow) = product.multipliedReportingOverflow(by: size)
            if overflow { return nil }
            product = result
        }
        return product
    }

    /// Gives the tensor a new shape, reallocating only when it needs more room than it has:
    /// storage another tensor released (`StoragePool.shared`) if some is the right size, else
    /// new storage. Contents are unspecified after a resize that changes the count.
    public func resize(to newShape: [Int]) {
        if newShape == shape { return }
        let newCount = Tensor.elementCount(newShape)
        if newCount > capacity {
            free(data)
            if let block = StoragePool.shared.take(atLeast: newCount) {
                (data, capacity) = (block.data, block.capacity)
            } else {
                (data, capacity) = (Tensor.zeroedStorage(newCount), newCount)
            }
            if StoragePool.shared.poisonsGrownStorage { data.update(repeating: .nan, count: capacity) }
        }
        shape = newShape
        count = newCount
    }

    /// Gives the storage to `StoragePool` for the next tensor that grows, and leaves this one
    /// empty (shape [0]): for a result that nothing reads any more until its owner writes it
    /// again, after a `resize(to:)` (a layer's input gradient once the layer before has read
    /// it).
    public func release() {
        guard capacity > 0 else { return }
        StoragePool.shared.give(StoragePool.Block(data: data, capacity: capacity))
        data = Tensor.zeroedStorage(0)
        (shape, count, capacity) = ([0], 0, 0)
    }

    /// Changes the shape without touching the contents; the element count must stay the same.
    public func reshape(_ newShape: [Int]) throws(ShapeError) {
        guard Tensor.elementCount(newShape) == count else {
            throw ShapeError("cannot reshape \(shape.shapeDescription) to \(newShape.shapeDescription)")
        }
        shape = newShape
    }

    /// The elements as an array (for tests, storage and reports, not hot loops).
    public var values: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

    /// The storage as a buffer of `count` elements.
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: data, count: count) }

    /// Sets every element to `value`.
    public func fill(_ value: Float) { data.update(repeating: value, count: count) }

    /// Takes the shape and contents of `other`.
    public func copy(from other: Tensor) {
        resize(to: other.shape)
        data.update(from: other.data, count: count)
    }

    /// A new tensor with the same shape and contents.
    public func clone() -> Tensor {
        let t = Tensor(zeros: shape)
        t.data.update(from: data, count: count)
        return t
    }

    /// Element access by flat index.
    public subscript(index: Int) -> Float {
        get { data[index] }
        set { data[index] = newValue }
    }
}

extension Array where Element == Int {
    /// "3×28×28" style text for error messages.
    public var shapeDescription: String { isEmpty ? "scalar" : map(String.init).joined(separator: "×") }
}
