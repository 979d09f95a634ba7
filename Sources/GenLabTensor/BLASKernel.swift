import CCPUFeatures
import Foundation

/// Which OpenBLAS kernel family GenLab runs, decided from the CPU's instruction set.
///
/// Debian's OpenBLAS is a DYNAMIC_ARCH build that picks its kernels from a table of CPU
/// models when the library loads, before `main`; on a model it does not know it falls back
/// to an old family (Prescott, SSE3) or to a narrower one than the CPU can run. GenLab
/// reads the CPUID feature flags, and when OpenBLAS's own choice is of a lower tier than
/// the best family the instruction set supports, re-executes itself with
/// `OPENBLAS_CORETYPE` set (the variable is read only while the library loads). A user's own
/// `OPENBLAS_CORETYPE` is always respected.
public enum BLASKernel {
    /// Instruction-set features that decide the kernel family.
    public struct Features: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        public static let sse3 = Features(rawValue: UInt32(GENLAB_CPU_SSE3))
        public static let ssse3 = Features(rawValue: UInt32(GENLAB_CPU_SSSE3))
        public static let sse42 = Features(rawValue: UInt32(GENLAB_CPU_SSE4_2))
        public static let avx = Features(rawValue: UInt32(GENLAB_CPU_AVX))
        public static let fma = Features(rawValue: UInt32(GENLAB_CPU_FMA))
        public static let avx2 = Features(rawValue: UInt32(GENLAB_CPU_AVX2))
        public static let avx512f = Features(rawValue: UInt32(GENLAB_CPU_AVX512F))
        public static let avx512dq = Features(rawValue: UInt32(GENLAB_CPU_AVX512DQ))
        public static let avx512cd = Features(rawValue: UInt32(GENLAB_CPU_AVX512CD))
        public static let avx512bw = Features(rawValue: UInt32(GENLAB_CPU_AVX512BW))
        public static let avx512vl = Features(rawValue: UInt32(GENLAB_CPU_AVX512VL))
        public static let avx512bf16 = Features(rawValue: UInt32(GENLAB_CPU_AVX512BF16))
        public static let amx = Features(rawValue: UInt32(GENLAB_CPU_AMX))

        /// What SkylakeX's kernels need.
        public static let skylakeX: Features = [.avx512f, .avx512dq, .avx512cd, .avx512bw, .avx512vl, .avx2, .fma]
        /// What Haswell's kernels need.
        public static let haswell: Features = [.avx2, .fma, .avx]

        /// The features of the CPU this process runs on (OS support for the registers included).
        public static var current: Features { Features(rawValue: genlab_cpu_features()) }

        /// Short names of the features present, widest first ("AVX-512F/DQ/CD/BW/VL", …).
        public var names: [String] {
            var out: [String] = []
            let avx512: [(Features, String)] = [(.avx512f, "F"), (.avx512dq, "DQ"), (.avx512cd, "CD"), (.avx512bw, "BW"),
                                                (.avx512vl, "VL"), (.avx512bf16, "BF16")]
            let present = avx512.filter { contains($0.0) }.map(\.1)
            if !present.isEmpty { out.append("AVX-512" + present.joined(separator: "/")) }
            if contains(.amx) { out.append("AMX") }
            let rest: [(Features, String)] = [(.avx2, "AVX2"), (.fma, "FMA"), (.avx, "AVX"), (.sse42, "SSE4.2"),
                                              (.ssse3, "SSSE3"), (.sse3, "SSE3")]
            out += rest.filter { contains($0.0) }.map(\.1)
            return out
        }
    }

    /// The OpenBLAS family (an `OPENBLAS_CORETYPE` value) with the widest kernels `features`
    /// can run.
    public static func best(for features: Features) -> String {
        if features.isSuperset(of: .skylakeX) { return "SkylakeX" }
        if features.isSuperset(of: .haswell) { return "Haswell" }
        if features.contains(.avx) { return "Sandybridge" }
        if features.contains(.sse42) { return "Nehalem" }
        if features.contains(.ssse3) { return "Core2" }
        return "Prescott"
    }

    /// The vector tier of an OpenBLAS core name (5 AVX-512, 4 AVX2, 3 AVX, 2 SSE4, 1 older),
    /// nil for a name GenLab does not know.
    public static func tier(ofCoreName name: String) -> Int? {
        switch name.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": 5
        case "haswell", "zen", "skylake": 4
        case "sandybridge", "bulldozer", "piledriver", "steamroller", "excavator": 3
        case "nehalem", "barcelona", "bobcat", "nano": 2
        case "prescott", "core2", "penryn", "dunnington", "atom", "opteron", "opteron_sse3", "katmai",
             "coppermine", "northwood", "athlon", "banias", "generic": 1
        default: nil
        }
    }

    /// What to do about OpenBLAS's choice.
    public enum Decision: Equatable, Sendable {
        /// Run with the kernels already loaded.
        case keep
        /// Load OpenBLAS again with `OPENBLAS_CORETYPE` set to this family.
        case switchTo(String)
    }

    /// Switches when the user did not set `OPENBLAS_CORETYPE` and OpenBLAS's own family is of
    /// a lower tier than the best one the features allow (an unknown name counts as a fallback).
    public static func decide(openBLASChoice: String, features: Features, userCoreType: String?) -> Decision {
        if let userCoreType, !userCoreType.isEmpty { return .keep }
        let best = best(for: features)
        guard let bestTier = tier(ofCoreName: best) else { return .keep }
        if let own = tier(ofCoreName: openBLASChoice), own >= bestTier { return .keep }
        return .switchTo(best)
    }

    /// The environment variable in which a re-executed GenLab finds OpenBLAS's own choice
    /// (and which keeps it from re-executing twice).
    public static let ownChoiceVariable = "GENLAB_OPENBLAS_OWN_CHOICE"

    /// Re-executes this program with the best kernel family when OpenBLAS's own choice is a
    /// fallback (see `decide`). Returns when nothing needs to change or the re-execution
    /// fails (the program then runs on the kernels already loaded).
    public static func reexecuteWithBestKernelIfNeeded() {
        let environment = ProcessInfo.processInfo.environment
        guard environment[ownChoiceVariable] == nil else { return }
        let decision = decide(openBLASChoice: BLAS.coreName, features: .current, userCoreType: environment["OPENBLAS_CORETYPE"])
        guard case .switchTo(let family) = decision else { return }
        setenv(ownChoiceVariable, BLAS.coreName, 1)
        setenv("OPENBLAS_CORETYPE", family, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        unsetenv("OPENBLAS_CORETYPE")
        unsetenv(ownChoiceVariable)
    }

    /// One line on the CPU and the kernels: features, OpenBLAS's own choice, the family in
    /// use and who chose it.
    public static var report: String {
        var brand = [CChar](repeating: 0, count: 64)
        genlab_cpu_brand(&brand, 64)
        let cpu = String(cString: brand)
        let features = Features.current
        let environment = ProcessInfo.processInfo.environment
        let inUse = BLAS.coreName
        let why: String
        if let own = environment[ownChoiceVariable] {
            why = "OpenBLAS's own choice \(own) is a fallback; GenLab selected \(inUse) from the CPU features"
        } else if let user = environment["OPENBLAS_CORETYPE"], !user.isEmpty {
            let best = best(for: features)
            let below = (tier(ofCoreName: inUse) ?? 0) < (tier(ofCoreName: best) ?? 0)
            why = "OPENBLAS_CORETYPE=\(user) set in the environment" + (below ? "; this CPU supports \(best), unset it to use that" : "")
        } else {
            why = "OpenBLAS's own choice, the best this CPU supports (\(best(for: features)))"
        }
        return "CPU \(cpu.isEmpty ? "unknown" : cpu) [\(features.names.joined(separator: " "))]\n"
            + "OpenBLAS kernels \(inUse) (\(why)), \(BLAS.threads) thread(s)"
    }
}
