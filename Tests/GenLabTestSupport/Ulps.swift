/// Distances in units in the last place, for the accuracy tests of the vectorised kernels.
public enum Ulps {
    /// The largest |actual − exact| over `cases`, in ulp of the exact value (at least the
    /// smallest normal's ulp, so that values near 0 compare absolutely), and the input where.
    public static func worst(_ cases: [(at: Float, actual: Float, exact: Float)]) -> (ulps: Float, at: Float) {
        var worst: Float = 0, at: Float = 0
        for c in cases {
            let ulps = abs(c.actual - c.exact) / max(c.exact.magnitude.ulp, Float.leastNormalMagnitude)
            if ulps > worst { (worst, at) = (ulps, c.at) }
        }
        return (worst, at)
    }
}
