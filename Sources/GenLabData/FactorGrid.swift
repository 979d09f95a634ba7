/// The generative factors of a procedural dataset: each factor's name and values. Image
/// `index` of the dataset has the factors whose indices are `index` written in the mixed
/// radix of the factors' sizes, the last factor fastest (dSprites numbers its images so).
public struct FactorGrid: Equatable, Sendable {
    /// One generative factor.
    public struct Factor: Equatable, Sendable {
        public let name: String
        public let values: [Double]
    }

    public let factors: [Factor]

    public init(_ factors: [Factor]) { self.factors = factors }

    /// How many values each factor takes.
    public var sizes: [Int] { factors.map(\.values.count) }

    /// How many images the grid holds.
    public var count: Int { sizes.reduce(1, *) }

    /// The factor indices of image `index` (0..<count).
    public func indices(of index: Int) -> [Int] {
        var rest = index, result = [Int](repeating: 0, count: factors.count)
        for k in factors.indices.reversed() {
            let size = factors[k].values.count
            result[k] = rest % size
            rest /= size
        }
        return result
    }

    /// The image whose factor indices are `indices` (each within its factor's size).
    public func image(at indices: [Int]) -> Int {
        zip(indices, sizes).reduce(0) { $0 * $1.1 + $1.0 }
    }

    /// `count` evenly spaced values from `low` to `high`, both included (numpy's `linspace`).
    public static func linspace(_ low: Double, _ high: Double, _ count: Int) -> [Double] {
        (0..<count).map { low + (high - low) * Double($0) / Double(count - 1) }
    }
}
