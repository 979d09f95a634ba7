import CKernels

/// What the matrix products of convolutions, transposed convolutions and linear layers
/// multiply: `fp32`, or `bf16` as PyTorch's CPU autocast does (the operands rounded to
/// bfloat16 to nearest even, the products summed in float, every result written in float).
/// Everything else (losses, reductions, normalisation, the optimizer, the weights and their
/// moments) stays in float either way.
public enum Precision: String, Sendable, CaseIterable {
    case fp32, bf16

    /// Whether this CPU multiplies bfloat16 in hardware (AMX tiles or AVX512-BF16); elsewhere
    /// oneDNN would emulate it, slower than float.
    public static var hasNativeBF16: Bool {
        !BLASKernel.Features.current.isDisjoint(with: [.amx, .avx512bf16])
    }

    /// The CPU's bfloat16 hardware, for messages: "AMX and AVX512-BF16", or nil without.
    public static var nativeBF16Hardware: String? {
        let features = BLASKernel.Features.current
        let names = [(BLASKernel.Features.amx, "AMX"), (.avx512bf16, "AVX512-BF16")].filter { features.contains($0.0) }.map(\.1)
        return names.isEmpty ? nil : names.joined(separator: " and ")
    }

    /// What bf16 runs on here, for `genlab version` and `bench`: the CPU's bfloat16 hardware
    /// (or its absence) and oneDNN's kernel for a 512 × 512 × 512 product.
    public static var bf16Report: String {
        let product = String(cString: genlab_gemm_bf16_implementation(0, 0, 512, 512, 512))
        let kernel = product.hasPrefix("brg:avx512_core_amx") ? product : "OpenBLAS on operands rounded to bfloat16 (oneDNN: \(product.isEmpty ? "none" : product))"
        guard let hardware = nativeBF16Hardware else {
            return "bf16: this CPU has neither AMX nor AVX512-BF16 (train.precision auto trains in fp32 here, bf16 is refused)"
        }
        return "bf16: \(hardware) (train.precision auto trains in bf16 here); products \(kernel)"
    }

    /// `value` rounded to bfloat16 and back (to nearest even; NaN stays NaN).
    public static func roundedToBF16(_ value: Float) -> Float {
        var value = value, rounded: Float = 0
        genlab_round_bf16(&value, &rounded, 1)
        return rounded
    }
}
