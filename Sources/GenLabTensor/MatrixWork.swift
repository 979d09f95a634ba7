import Synchronization

/// The multiply-adds this process's matrix products (`BLAS.gemm`) and oneDNN convolutions
/// (`DirectConvolution`) have run, counted as they run (one relaxed atomic addition a call):
/// `genlab bench` turns them into GFLOP/s (two FLOPs a multiply-add).
public enum MatrixWork {
    private static let multiplyAdds = Atomic<Int>(0)

    /// Counts `count` multiply-adds.
    public static func add(_ count: Int) { multiplyAdds.add(count, ordering: .relaxed) }

    /// The multiply-adds counted so far.
    public static var count: Int { multiplyAdds.load(ordering: .relaxed) }
}
