import ArgumentParser
import GenLabSpec
import GenLabTensor

/// `genlab bench --precision fp32|bf16`.
extension Precision: ExpressibleByArgument {}

/// `genlab run --precision` and `genlab worker --precision`: fp32, bf16 or auto.
extension PrecisionSpec.Choice: ExpressibleByArgument {}

extension PrecisionSpec.Choice {
    /// Refuses `bf16` on a CPU without AMX or AVX512-BF16, before anything runs.
    func checkHere() throws {
        do { _ = try PrecisionSpec(self).resolved() } catch { throw ValidationError(error.message) }
    }
}
