/// Everything an optimizer needs to continue exactly where it stopped: its step count and
/// its per-parameter buffers, keyed "<buffer>/<parameter key>" (for example
/// "exp_avg/encoder.0.weight").
public struct OptimizerState: Equatable, Sendable {
    public var step: Int
    public var buffers: [String: [Float]]
    public init(step: Int, buffers: [String: [Float]]) {
        self.step = step
        self.buffers = buffers
    }
}

/// A saved optimizer state does not match the optimizer it is loaded into.
public struct OptimizerStateError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public var description: String { message }
}

/// Updates parameters from their accumulated gradients.
public protocol Optimizer: AnyObject {
    /// The parameters updated, with their keys.
    var parameters: [NamedParameter] { get }
    /// Applies one update from the current gradients.
    func step()
    /// The state to save.
    var state: OptimizerState { get }
    /// Replaces the state with a saved one.
    func restore(_ state: OptimizerState) throws(OptimizerStateError)
}

extension Optimizer {
    /// Clears the gradient of every parameter.
    public func zeroGrad() { for p in parameters { p.parameter.zeroGrad() } }

    /// Clamps every parameter into [−c, c] (WGAN weight clipping after a critic step).
    public func clampParameters(_ c: Float) { for p in parameters { p.parameter.clamp(-c, c) } }
}

/// One named per-parameter buffer set ("exp_avg", "square_avg", …) of an optimizer.
final class SlotBuffers {
    let name: String
    let tensors: [Tensor]

    init(_ name: String, for parameters: [NamedParameter]) {
        self.name = name
        tensors = parameters.map { Tensor(zeros: $0.parameter.value.shape) }
    }

    func export(_ parameters: [NamedParameter], into buffers: inout [String: [Float]]) {
        for (p, t) in zip(parameters, tensors) { buffers["\(name)/\(p.name)"] = t.values }
    }

    func restore(_ parameters: [NamedParameter], from buffers: [String: [Float]]) throws(OptimizerStateError) {
        for (p, t) in zip(parameters, tensors) {
            let key = "\(name)/\(p.name)"
            guard let values = buffers[key] else {
                throw OptimizerStateError(message: "optimizer state has no buffer '\(key)'")
            }
            guard values.count == t.count else {
                throw OptimizerStateError(message: "optimizer buffer '\(key)' holds \(values.count) values, the parameter has \(t.count)")
            }
            values.withUnsafeBufferPointer { t.data.update(from: $0.baseAddress!, count: values.count) }
        }
    }
}
