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

    /// `value` rounded to bfloat16 and back (to nearest even; NaN stays NaN).
    public static func roundedToBF16(_ value: Float) -> Float {
        var value = value, rounded: Float = 0
        genlab_round_bf16(&value, &rounded, 1)
        return rounded
    }
}
