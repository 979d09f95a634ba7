import Glibc
import GenLabTensor
import Testing

/// The pool of released storage: which block a growing tensor takes, and a released
/// tensor's state. (A private pool for the policy: the shared one serves every test running
/// alongside.)
@Suite struct StoragePoolTests {
    /// A pool holding new blocks of `capacities` floats.
    static func pool(_ capacities: [Int]) -> StoragePool {
        let pool = StoragePool()
        for capacity in capacities {
            pool.give(StoragePool.Block(data: malloc(capacity * 4)!.bindMemory(to: Float.self, capacity: capacity), capacity: capacity))
        }
        return pool
    }

    /// The smallest block between the count and twice it; else the largest smaller block,
    /// grown; never a block more than twice the count.
    @Test func takesTheClosestBlockAndGrowsRatherThanWastes() throws {
        let pool = StoragePoolTests.pool([1000, 300, 100, 260])
        #expect(pool.take(atLeast: 250)?.capacity == 260)
        #expect(pool.take(atLeast: 40) == nil, "100 floats is more than twice 40")
        #expect(pool.capacities == [1000, 300, 100])
        let grown = try #require(pool.take(atLeast: 2000))
        #expect(grown.capacity == 2000 && pool.capacities == [300, 100], "the largest smaller block, grown")
        grown.data[1999] = 1 // the grown block holds its new size
        pool.give(grown)
        #expect(pool.take(atLeast: 150)?.capacity == 300 && pool.take(atLeast: 100)?.capacity == 100)
        #expect(pool.capacities == [2000])
        pool.drain()
        #expect(pool.capacities.isEmpty && pool.take(atLeast: 1) == nil)
    }

    /// A released tensor is empty, and grows again on its next resize, to the shape asked.
    @Test func releasedTensorIsEmptyUntilResized() {
        let t = Tensor(repeating: 2, shape: [5, 7])
        t.release()
        #expect(t.shape == [0] && t.count == 0 && t.capacity == 0)
        t.release()
        t.resize(to: [5, 7])
        #expect(t.count == 35 && t.capacity >= 35)
        t.fill(3)
        #expect(t.values == [Float](repeating: 3, count: 35))
    }
}
