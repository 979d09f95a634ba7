import GenLabNN
import GenLabTestSupport
import Testing

/// The state after a reference step, as the step cases store it.
enum GoldenAfterStep {
    /// Every tensor of `after` equals GenLab's; with `lr` (an SGD step whose `after` holds the
    /// buffers only), every parameter also equals start − lr·gradient of the reference.
    static func check(_ after: [String: GoldenTensor], tensors: [String: Tensor], parameters: [String: Parameter],
                      start: [String: GoldenTensor], grads: [String: GoldenTensor], lr: Double?) throws {
        for (key, value) in after {
            #expect(Golden.mismatches(try #require(tensors[key]).values, value) == [], "after \(key)")
        }
        guard let lr else { return }
        #expect(Set(grads.keys) == Set(parameters.keys), "a gradient for every parameter")
        for (key, parameter) in parameters {
            let before = try #require(start[key]), grad = try #require(grads[key])
            let expected = GoldenTensor(shape: before.shape, data: zip(before.data, grad.data).map { Double(Float($0) - Float(lr) * Float($1)) })
            #expect(Golden.mismatches(parameter.value.values, expected) == [], "after \(key)")
        }
    }
}
