import GenLabNN
import GenLabTestSupport
import Testing

/// A `Sequential` releases each input gradient once the layer before has read it, and the
/// storage layers take back (from the pool, holding another layer's old values) gives the
/// results fresh storage gives: no layer reads what it has not written.
@Suite struct ReleasedGradientTests {
    /// Intermediate gradients are released; the one returned and the one given are not; the
    /// next step gives the same bits on storage taken back.
    @Test func sequentialReleasesTheGradientsItsLayersRead() throws {
        StoragePool.shared.poisonsGrownStorage = true
        let first = InPlaceTests.Recording(6), second = InPlaceTests.Recording(6), third = InPlaceTests.Recording(6)
        let network = Sequential([first, Activation(.tanh), second, third])
        var runs: [[Float]] = []
        for _ in 0..<2 {
            network.zeroGrad()
            _ = try network.forward(GradientCheck.random([4, 6], seed: 1))
            let given = GradientCheck.random([4, 6], seed: 2)
            let gradInput = try network.backward(given)
            #expect(second.gradInput?.count == 0 && third.gradInput?.count == 0, "read, then released")
            #expect(gradInput === first.gradInput && gradInput.count == 24 && given.count == 24)
            runs.append(gradInput.values + network.parameters.flatMap { $0.parameter.grad.values })
        }
        #expect(runs[0] == runs[1] && runs[0].allSatisfy(\.isFinite))
    }

    /// Every golden layer case (the notebooks' layers, the later kinds, the convolutions wide
    /// enough for oneDNN) against PyTorch, with all the storage its passes grow into filled with
    /// NaN first.
    @Test(arguments: GoldenLayerTests.layerCases + Golden.convolutionCases.map(\.name))
    func layerMatchesPyTorchOnStorageItDidNotZero(_ name: String) throws {
        StoragePool.shared.poisonsGrownStorage = true
        let c = try #require(Golden.named(name))
        try GoldenLayerTests.check(try GoldenLayerTests.makeLayer(c), against: c)
    }

    @Test(arguments: Golden.layerKindCases.map(\.name))
    func layerKindMatchesPyTorchOnStorageItDidNotZero(_ name: String) throws {
        StoragePool.shared.poisonsGrownStorage = true
        let c = try #require(Golden.named(name))
        try GoldenLayerTests.check(try GoldenLayerKindTests.layer(c).1, against: c)
    }
}
