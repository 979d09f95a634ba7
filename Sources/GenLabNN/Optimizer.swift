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

/// An optimizer's step count and named per-parameter buffer sets ("exp_avg",
/// "square_avg", …), with the saving and restoring they all share.
final class OptimizerSlots {
    let parameters: [NamedParameter]
    var step = 0
    /// Per buffer name, one tensor per parameter, zero to start with.
    let buffers: [(name: String, tensors: [Tensor])]

    init(_ names: [String], for parameters: [NamedParameter]) {
        self.parameters = parameters
        buffers = names.map { name in (name, parameters.map { Tensor(zeros: $0.parameter.value.shape) }) }
    }

    /// The tensors of buffer set `index` (in the order of the names given at init).
    subscript(index: Int) -> [Tensor] { buffers[index].tensors }

    /// One element-wise update of every parameter, each split into parts the threads share
    /// (`ParallelRanges`: disjoint, so the bits of one thread): `update` gets a part's values,
    /// gradients and buffers (one per buffer set, in the order of the names given at init), all
    /// from the part's first element, and the part's length.
    func forEachPart(_ update: (_ value: UnsafeMutablePointer<Float>, _ grad: UnsafeMutablePointer<Float>,
                                _ buffers: [UnsafeMutablePointer<Float>], _ count: Int) -> Void) {
        for (index, named) in parameters.enumerated() {
            let p = named.parameter.value.data, g = named.parameter.grad.data, slots = buffers.map { $0.tensors[index].data }
            ParallelRanges.forEach(named.parameter.value.count, minimum: 1 << 15) { part in
                let i = part.lowerBound
                update(p + i, g + i, slots.map { $0 + i }, part.count)
            }
        }
    }

    var state: OptimizerState {
        var saved: [String: [Float]] = [:]
        for (name, tensors) in buffers {
            for (p, t) in zip(parameters, tensors) { saved["\(name)/\(p.name)"] = t.values }
        }
        return OptimizerState(step: step, buffers: saved)
    }

    func restore(_ state: OptimizerState) throws(OptimizerStateError) {
        for (name, tensors) in buffers {
            for (p, t) in zip(parameters, tensors) {
                let key = "\(name)/\(p.name)"
                guard let values = state.buffers[key] else {
                    throw OptimizerStateError(message: "optimizer state has no buffer '\(key)'")
                }
                guard values.count == t.count else {
                    throw OptimizerStateError(message: "optimizer buffer '\(key)' holds \(values.count) values, the parameter has \(t.count)")
                }
                values.withUnsafeBufferPointer { t.data.update(from: $0.baseAddress!, count: values.count) }
            }
        }
        step = state.step
    }
}
