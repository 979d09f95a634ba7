import GenLabNN
import GenLabTestSupport
import Testing

/// Every layer kind's second-order pass (`SecondOrderLayer`, a gradient penalty's double
/// backprop) against central differences of a penalty on its input gradient: ∂P/∂parameters,
/// ∂P/∂(the gradient the backward pass was given) and ∂P/∂input, for each kind alone and in
/// containers nested two deep.
@Suite struct SecondOrderTests {
    typealias Case = LayerCase<SecondOrderLayer>

    static let cases: [Case] = [
        Case("linear", [3, 5]) { Linear(inFeatures: 5, outFeatures: 4) },
        Case("conv2d k3 s1 p1 (im2col)", [2, 2, 5, 4]) { Conv2d(inChannels: 2, outChannels: 3, kernelSize: 3, padding: 1) },
        Case("conv2d k4 s2 p1", [2, 2, 6, 6]) { Conv2d(inChannels: 2, outChannels: 2, kernelSize: 4, stride: 2, padding: 1, bias: false) },
        // 16 channels on each side: oneDNN's kernels (Winograd's on AVX-512)
        Case("conv2d 16→16 k3 s1 p1 (oneDNN)", [2, 16, 4, 4]) { Conv2d(inChannels: 16, outChannels: 16, kernelSize: 3, padding: 1) },
        Case("conv_transpose2d k4 s2 p1", [2, 3, 3, 3]) { ConvTranspose2d(inChannels: 3, outChannels: 2, kernelSize: 4, stride: 2, padding: 1) },
        Case("relu", [3, 4], margin: 0.05) { Activation(.relu) },
        Case("leaky_relu 0.2", [3, 4], margin: 0.05) { Activation(.leakyReLU(slope: 0.2)) },
        Case("leaky_relu -0.3", [3, 4], margin: 0.05) { Activation(.leakyReLU(slope: -0.3)) },
        Case("sigmoid", [3, 4]) { Activation(.sigmoid) },
        Case("tanh", [3, 4]) { Activation(.tanh) },
        Case("elu 0.7", [3, 4], margin: 0.05) { Pointwise(ELU(alpha: 0.7)) },
        Case("gelu", [3, 4]) { Pointwise(GELU()) },
        Case("silu", [3, 4]) { Pointwise(SiLU()) },
        // βx beyond the threshold for some values: f′ = 1, f″ = 0 there
        Case("softplus beta 2 threshold 1", [3, 4], margin: 0.05) { Pointwise(Softplus(beta: 2, threshold: 1)) },
        Case("layernorm (C, H, W)", [3, 2, 2, 3]) { LayerNorm(shape: [2, 2, 3]) },
        Case("layernorm (F)", [2, 5]) { LayerNorm(shape: [5]) },
        Case("groupnorm 2 groups of 2", [2, 4, 3, 2]) { GroupNorm(groups: 2, channels: 4) },
        // inputs far enough apart that no maximum changes under a finite-difference step
        Case("maxpool2d k2", [2, 2, 4, 4], spread: 50) { MaxPool2d(PoolWindow(kernel: 2)) },
        Case("avgpool2d k3 s2 p1", [2, 2, 5, 5]) { AvgPool2d(PoolWindow(kernel: 3, stride: 2, padding: 1)) },
        Case("adaptive_avgpool2d", [2, 3, 3, 2]) { AdaptiveAvgPool2d() },
        Case("upsample nearest 2", [1, 2, 2, 3]) { Upsample(scale: 2, mode: .nearest) },
        Case("upsample bilinear 2", [1, 2, 3, 2]) { Upsample(scale: 2, mode: .bilinear) },
        Case("flatten", [2, 2, 2, 3]) { Reshape.flatten() },
        Case("pixel bias", [2, 2, 3, 3]) { PixelBias(itemShape: [2, 3, 3]) },
        Case("spectral_norm linear (eval)", [3, 4], training: false) {
            var generator = RandomGenerator(seed: 1)
            return SpectralNorm(Linear(inFeatures: 4, outFeatures: 3), generator: &generator)
        },
        Case("spectral_norm conv2d (eval)", [2, 2, 4, 4], training: false) {
            var generator = RandomGenerator(seed: 2)
            return SpectralNorm(Conv2d(inChannels: 2, outChannels: 3, kernelSize: 3), generator: &generator)
        },
        // a convolutional critic: in-place reshape, fused rectifier, LayerNorm between
        Case("sequential conv-leaky-layernorm-flatten-linear-tanh-linear", [2, 1, 6, 6]) {
            Sequential([
                Conv2d(inChannels: 1, outChannels: 2, kernelSize: 4, stride: 2, padding: 1),
                Activation(.leakyReLU(slope: 0.2)),
                LayerNorm(shape: [2, 3, 3]),
                Reshape.flatten(),
                Linear(inFeatures: 18, outFeatures: 4),
                Activation(.tanh),
                Linear(inFeatures: 4, outFeatures: 1),
            ])
        },
        // residual blocks nested two deep, a convolution and average pooling as shortcut (no
        // ReLU: a kink crossed by a finite-difference step makes the input gradient jump)
        Case("residual nested two deep", [2, 4, 4, 4]) {
            // the GroupNorm applies both activations next to it, and runs apart from them here
            let inner = Residual(body: Sequential([Pointwise(GELU()), GroupNorm(groups: 2, channels: 4), Pointwise(SiLU()),
                                                   Conv2d(inChannels: 4, outChannels: 4, kernelSize: 3, padding: 1)]),
                                 shortcut: Sequential([]))
            return Sequential([
                Residual(body: Sequential([inner, Activation(.tanh), Conv2d(inChannels: 4, outChannels: 3, kernelSize: 3, padding: 1),
                                           AvgPool2d(PoolWindow(kernel: 2))]),
                         shortcut: Sequential([AvgPool2d(PoolWindow(kernel: 2)), Conv2d(inChannels: 4, outChannels: 3, kernelSize: 1)])),
                Pointwise(GELU()),
                Reshape.flatten(),
                Linear(inFeatures: 12, outFeatures: 1),
            ])
        },
    ]

    @Test(arguments: cases)
    func secondOrderMatchesFiniteDifferences(_ c: Case) throws {
        let layer = c.make()
        var generator = RandomGenerator(seed: 3)
        Initialization.pytorch.apply(to: layer, generator: &generator)
        // normalisation weights away from 1, biases away from 0
        for p in layer.parameters where p.name.hasSuffix("bias") || p.parameter.value.values.allSatisfy({ $0 == 1 }) {
            generator.fillUniform(p.parameter.value.buffer, low: 0.5, high: 1.5)
        }
        layer.isTraining = c.training
        let failures = try GradientCheck.secondOrder(layer, input: c.input(seed: 5))
        #expect(failures.isEmpty, "\(failures.joined(separator: "; "))")
    }

    /// BatchNorm has no second-order pass (its statistics mix the images a per-image penalty
    /// keeps apart): a Sequential holding one names it.
    @Test func batchNormHasNoSecondOrderPass() throws {
        let network = Sequential([Linear(inFeatures: 3, outFeatures: 2), BatchNorm(dimensions: 1, features: 2)])
        _ = try network.forward(GradientCheck.random([4, 3], seed: 1))
        let error = try #require(throws: ShapeError.self) { try network.backwardKeepingGradients(GradientCheck.random([4, 2], seed: 2)) }
        #expect(error.message == "layer 1 (BatchNorm1d) has no second-order pass", "\(error.message)")
    }
}
