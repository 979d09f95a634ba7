import Foundation
import GenLabTensor
import Testing

@Suite struct BLASKernelTests {
    typealias F = BLASKernel.Features

    /// The family follows the instruction set, not the CPU model.
    @Test func bestFamilyFollowsFeatures() {
        #expect(BLASKernel.best(for: [.sse3]) == "Prescott")
        #expect(BLASKernel.best(for: [.sse3, .ssse3]) == "Core2")
        #expect(BLASKernel.best(for: [.sse3, .ssse3, .sse42]) == "Nehalem")
        #expect(BLASKernel.best(for: [.sse3, .ssse3, .sse42, .avx]) == "Sandybridge")
        #expect(BLASKernel.best(for: [.sse42, .avx, .avx2]) == "Sandybridge", "AVX2 without FMA is not Haswell")
        #expect(BLASKernel.best(for: [.sse42, .avx, .avx2, .fma]) == "Haswell")
        let avx512: F = [.sse42, .avx, .avx2, .fma, .avx512f, .avx512dq, .avx512cd, .avx512bw, .avx512vl]
        #expect(BLASKernel.best(for: avx512) == "SkylakeX")
        #expect(BLASKernel.best(for: avx512.union([.avx512bf16, .amx])) == "SkylakeX")
        #expect(BLASKernel.best(for: avx512.subtracting(.avx512bw)) == "Haswell", "AVX-512F alone (Knights Landing) is not SkylakeX")
    }

    /// A fallback (lower tier, or a name GenLab does not know) is replaced; an equal or better
    /// choice and a user's OPENBLAS_CORETYPE are kept.
    @Test func decisionReplacesOnlyFallbacks() {
        let avx512: F = [.avx, .avx2, .fma, .avx512f, .avx512dq, .avx512cd, .avx512bw, .avx512vl]
        #expect(BLASKernel.decide(openBLASChoice: "Prescott", features: avx512, userCoreType: nil) == .switchTo("SkylakeX"))
        #expect(BLASKernel.decide(openBLASChoice: "Haswell", features: avx512, userCoreType: nil) == .switchTo("SkylakeX"))
        #expect(BLASKernel.decide(openBLASChoice: "Unknown9000", features: avx512, userCoreType: nil) == .switchTo("SkylakeX"))
        #expect(BLASKernel.decide(openBLASChoice: "Cooperlake", features: avx512, userCoreType: nil) == .keep)
        #expect(BLASKernel.decide(openBLASChoice: "SkylakeX", features: avx512, userCoreType: nil) == .keep)
        #expect(BLASKernel.decide(openBLASChoice: "Prescott", features: avx512, userCoreType: "Haswell") == .keep)
        #expect(BLASKernel.decide(openBLASChoice: "Prescott", features: avx512, userCoreType: "") == .switchTo("SkylakeX"))
        #expect(BLASKernel.decide(openBLASChoice: "Prescott", features: [.avx, .avx2, .fma], userCoreType: nil) == .switchTo("Haswell"))
        #expect(BLASKernel.decide(openBLASChoice: "Zen", features: [.avx, .avx2, .fma], userCoreType: nil) == .keep)
        #expect(BLASKernel.decide(openBLASChoice: "Prescott", features: [.sse3], userCoreType: nil) == .keep)
    }

    /// The OpenBLAS loaded in this test process runs a family of the best tier for this CPU
    /// (scripts/test.sh sets OPENBLAS_CORETYPE to genlab's choice), unless the environment
    /// forces another.
    @Test func thisProcessRunsTheBestTier() throws {
        let user = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
        let best = BLASKernel.best(for: .current)
        if let user, BLASKernel.tier(ofCoreName: user) != BLASKernel.tier(ofCoreName: best) {
            print("OPENBLAS_CORETYPE=\(user) is set; this CPU supports \(best)")
            return
        }
        #expect(BLASKernel.tier(ofCoreName: BLAS.coreName) == BLASKernel.tier(ofCoreName: best))
    }
}
