import GenLabNN
import GenLabSpec
import Testing

/// `train.precision`: fp32 unless set; `auto` follows the CPU; `bf16` on a CPU without AMX or
/// AVX512-BF16 is an error at the setting, naming the CPU's features; a sweep may vary it.
@Suite struct PrecisionSpecTests {
    static func experiment(_ train: String) throws -> Experiment {
        try Experiment.parse("""
        name: precision
        dataset: {name: fashion-mnist}
        model:
          kind: ae
          latent: 2
          encoder: [flatten, {linear: {out: 8}}]
          decoder: mirror
        train:
          batch_size: 32
        \(train)
        """, file: "precision.yaml")
    }

    @Test func fp32UnlessSet() throws {
        let e = try PrecisionSpecTests.experiment("")
        #expect(e.train.precision.choice == .fp32)
        #expect(try e.train.precision.resolved(hasNativeBF16: true) == .fp32)
    }

    @Test func autoFollowsTheCPU() throws {
        let e = try PrecisionSpecTests.experiment("  precision: auto")
        #expect(try e.train.precision.resolved(hasNativeBF16: true) == .bf16)
        #expect(try e.train.precision.resolved(hasNativeBF16: false) == .fp32)
    }

    @Test func bf16NeedsTheHardware() throws {
        let e = try PrecisionSpecTests.experiment("  precision: bf16")
        #expect(try e.train.precision.resolved(hasNativeBF16: true) == .bf16)
        let error = try #require(throws: SpecError.self) { try e.train.precision.resolved(hasNativeBF16: false) }
        #expect(error.reason == .unsupportedHardware)
        #expect(error.location?.line == 10 && error.location?.column == 14, "\(error)")
        let features = BLASKernel.Features.current.names
        #expect(error.message.contains("AMX or AVX512-BF16") && features.allSatisfy { error.message.contains($0) }, "\(error.message)")
    }

    @Test func aSweepVariesIt() throws {
        let e = try PrecisionSpecTests.experiment("""
        sweep:
          grid:
            train.precision: [fp32, auto]
        """)
        let points = try e.points()
        #expect(points.map(\.experiment.train.precision.choice) == [.fp32, .auto])
        #expect(Set(points.map(\.runID)).count == 2)
    }
}
