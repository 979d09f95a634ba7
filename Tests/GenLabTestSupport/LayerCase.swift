import GenLabNN
import Testing

/// A named layer factory and the input it is checked on, for the finite-difference suites:
/// inputs in [−spread, spread], pushed `margin` away from zero (kinks out of reach of a step).
public struct LayerCase<Made>: CustomTestStringConvertible, Sendable {
    public let name: String
    public let inputShape: [Int]
    public let margin: Float
    public let spread: Float
    /// Training mode, or evaluation mode.
    public let training: Bool
    public let make: @Sendable () -> Made
    public var testDescription: String { name }

    public init(_ name: String, _ inputShape: [Int], margin: Float = 0, spread: Float = 1, training: Bool = true,
                _ make: @escaping @Sendable () -> Made) {
        (self.name, self.inputShape, self.margin, self.spread) = (name, inputShape, margin, spread)
        (self.training, self.make) = (training, make)
    }

    /// The case's input: `GradientCheck.random` values with its margin, times its spread.
    public func input(seed: UInt64) -> Tensor {
        let input = GradientCheck.random(inputShape, seed: seed, margin: margin)
        for i in 0..<input.count { input[i] *= spread }
        return input
    }
}
