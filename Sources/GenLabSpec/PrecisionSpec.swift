import GenLabNN

/// `train.precision`: what the convolutions', transposed convolutions' and linear layers'
/// matrix products multiply while the point trains (see `Precision`).
public struct PrecisionSpec: Equatable, Sendable {
    public enum Choice: String, CaseIterable, Sendable {
        /// Float throughout: the bits GenLab has always given.
        case fp32
        /// bfloat16 products with float accumulation (PyTorch's CPU autocast); only on a CPU
        /// that runs them natively.
        case bf16
        /// bf16 where the CPU runs it natively (AMX or AVX512-BF16), fp32 elsewhere.
        case auto
    }

    public var choice: Choice
    /// Where the file says it (nil: the default, or a command line's `--precision`).
    public var location: SourceLocation?

    public init(_ choice: Choice = .fp32, location: SourceLocation? = nil) {
        self.choice = choice
        self.location = location
    }

    public static func == (a: PrecisionSpec, b: PrecisionSpec) -> Bool { a.choice == b.choice }

    /// The precision on this machine: `auto` decided by its CPU; `bf16` where the CPU has
    /// neither AMX nor AVX512-BF16 is an error at the setting, naming the CPU's features.
    public func resolved(hasNativeBF16: Bool = Precision.hasNativeBF16) throws(SpecError) -> Precision {
        switch choice {
        case .fp32: return .fp32
        case .auto: return hasNativeBF16 ? .bf16 : .fp32
        case .bf16:
            guard hasNativeBF16 else {
                let features = BLASKernel.Features.current.names.joined(separator: " ")
                throw SpecError(.unsupportedHardware,
                                "'\(location == nil ? "--precision" : "train.precision:") bf16' needs a CPU with AMX or AVX512-BF16; this one has \(features.isEmpty ? "neither" : features) (use 'auto' to train in bf16 only where the CPU has it)",
                                at: location)
            }
            return .bf16
        }
    }
}
