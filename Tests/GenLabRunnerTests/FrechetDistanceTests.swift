import Foundation
import GenLabAnalysis
import GenLabData
import GenLabReport
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabSweeps
import GenLabTensor
import GenLabTestSupport
import GenLabTraining
import Testing

/// The Fréchet distance alone, against SciPy on correlated random features (no classifier).
@Suite struct FrechetDistanceTests {
    @Test func matchesSciPyOnCorrelatedFeatures() throws {
        var generator = RandomGenerator(seed: 11)
        let (n, d) = (600, 6)
        let raw = Tensor(zeros: [2 * n, d])
        generator.fillNormal(raw.buffer)
        // b mixes its columns and is shifted, so the covariances differ and do not commute
        var a: [Float] = [], b: [Float] = []
        for i in 0..<n {
            let x = (0..<d).map { raw[i * d + $0] }, y = (0..<d).map { raw[(n + i) * d + $0] }
            a += x.enumerated().map { j, v in v * Float(j + 1) / 3 }
            b += (0..<d).map { j in y[j] + 0.8 * y[(j + 1) % d] + (j == 0 ? 0.5 : 0) }
        }
        let folder = try TestFolder.make("fd-random")
        for (name, values) in [("a", a), ("b", b)] {
            try values.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: folder.appendingPathComponent("\(name).f32"))
        }
        let scipy = try Repository.run("python3", ["-c", """
            import numpy as np, scipy.linalg
            a = np.fromfile('\(folder.path)/a.f32', np.float32).reshape(-1, \(d)).astype(np.float64)
            b = np.fromfile('\(folder.path)/b.f32', np.float32).reshape(-1, \(d)).astype(np.float64)
            ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
            print(((a.mean(0) - b.mean(0)) ** 2).sum() + np.trace(ca) + np.trace(cb) - 2 * np.trace(scipy.linalg.sqrtm(ca @ cb).real))
            """])
        let reference = try #require(Double(scipy.output.trimmingCharacters(in: .whitespacesAndNewlines)), "\(scipy.output)")
        let distance = FrechetDistance(a, b, dimension: d).distance
        #expect(abs(distance - reference) <= 1e-6 * abs(reference), "GenLab \(distance), SciPy \(reference)")
        #expect(abs(FrechetDistance(a, a, dimension: d).distance) < 1e-9)
    }
}
