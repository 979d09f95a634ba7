import GenLabNN
import GenLabTestSupport
import Testing

/// Element-wise layers inside a `Sequential` write over what they receive where nothing else
/// reads it (PyTorch's `inplace=True`), and give the bits they give on their own storage.
@Suite struct InPlaceTests {
    /// A layer that owns its results (a Linear), recording the tensors it received and
    /// returned, so that a test can see which storage its neighbours wrote over.
    final class Recording: OwnsItsResults, ParameterFreeLayer {
        let linear: Linear
        var isTraining = true
        var typeName: String { "Recording" }
        private(set) var input, output, gradOutput, gradInput: Tensor?
        /// The shape of the gradient it received, when it received it.
        private(set) var gradOutputShape: [Int]?

        init(_ features: Int) {
            linear = Linear(inFeatures: features, outFeatures: features)
            var generator = RandomGenerator(seed: UInt64(features))
            Initialization.pytorch.apply(to: linear, generator: &generator)
        }

        func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] { try linear.outputShape(for: inputShape) }

        func forward(_ input: Tensor) throws(ShapeError) -> Tensor {
            self.input = input
            output = try linear.forward(input)
            return output!
        }

        func backward(_ gradOutput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
            self.gradOutput = gradOutput
            gradOutputShape = gradOutput.shape
            gradInput = try linear.backward(gradOutput, accumulateParameterGradients: accumulateParameterGradients)
            return gradInput!
        }
    }

    /// Which layers run in place: after (forward) and before (backward) a layer that owns its
    /// results, or before one that ran in place itself; never over the Sequential's own input
    /// or the gradient it is given, never a layer whose backward reads what it overwrote.
    @Test func layersRunInPlaceWhereNothingElseReadsTheStorage() {
        let generator = Sequential([
            ConvTranspose2d(inChannels: 4, outChannels: 2, kernelSize: 4), BatchNorm(dimensions: 2, features: 2), Activation(.relu),
            ConvTranspose2d(inChannels: 2, outChannels: 1, kernelSize: 4), Activation(.tanh),
        ])
        #expect(generator.forwardsInPlace == [false, false, true, false, true])
        #expect(generator.backwardsInPlace == [false, true, true, false, false])
        // BatchNorm between a convolution and its ReLU; Tanh is no rectifier
        #expect(generator.rectifiesNext == [false, false, false, false, false])
        let rectified = Sequential([
            Conv2d(inChannels: 1, outChannels: 2, kernelSize: 3), Activation(.relu), Activation(.relu),
            ConvTranspose2d(inChannels: 2, outChannels: 2, kernelSize: 3), Activation(.leakyReLU(slope: 0.2)),
            Conv2d(inChannels: 2, outChannels: 2, kernelSize: 3), Activation(.leakyReLU(slope: -0.5)),
            Conv2d(inChannels: 2, outChannels: 2, kernelSize: 3), Activation(.sigmoid),
        ])
        // a second ReLU does not follow the convolution; a negative slope's backward reads the
        // input, so that LeakyReLU keeps its own output; Sigmoid is no rectifier
        #expect(rectified.rectifiesNext == [true, false, false, true, false, false, false, false, false])
        // not the caller's input; the last two layers too
        let ends = Sequential([Activation(.relu), Conv2d(inChannels: 1, outChannels: 1, kernelSize: 1), Activation(.relu)])
        #expect(ends.rectifiesNext == [false, true, false])
        let edges = Sequential([
            Activation(.relu), Linear(inFeatures: 3, outFeatures: 3), Activation(.leakyReLU(slope: -0.5)),
            Reshape.flatten(), Activation(.relu), Activation(.tanh), Activation(.sigmoid),
        ])
        // the first layer reads the caller's input; a negative slope's backward reads the
        // input; Flatten relabels LeakyReLU's output, which ReLU then must not overwrite;
        // Tanh would overwrite the output ReLU's backward reads; Sigmoid, the last, gets the
        // caller's gradient
        #expect(edges.forwardsInPlace == [false, false, false, true, false, false, false])
        #expect(edges.backwardsInPlace == [true, false, true, false, false, false, false])
        let reshapes = Sequential([
            Reshape.flatten(), Linear(inFeatures: 6, outFeatures: 6), Reshape.unflatten([2, 3]), Activation(.relu),
            Reshape.flatten(), Linear(inFeatures: 6, outFeatures: 6), Reshape.unflatten([2, 3]), Activation(.sigmoid),
        ])
        // the first Flatten would relabel the caller's input; ReLU may overwrite the Linear's
        // output through the relabelling; the last Unflatten would relabel the tensor the
        // caller receives (Sigmoid's output, written over it), so it copies
        #expect(reshapes.forwardsInPlace == [false, false, true, true, true, false, false, true])
        #expect(reshapes.backwardsInPlace == [true, false, true, true, true, false, false, false])
    }

    /// The storage actually shared: ReLU's output is the first Linear's, and BatchNorm and
    /// ReLU write their gradients over the second Linear's.
    @Test func inPlaceLayersShareTheirNeighboursStorage() throws {
        let first = Recording(3), second = Recording(3)
        let network = Sequential([first, BatchNorm(dimensions: 1, features: 3), Activation(.relu), second])
        let output = try network.forward(GradientCheck.random([4, 3], seed: 1))
        _ = try network.backward(GradientCheck.random(output.shape, seed: 2))
        #expect(try #require(second.input) !== first.output) // BatchNorm's own output
        let plain = Sequential([first, Activation(.relu), second])
        _ = try plain.forward(GradientCheck.random([4, 3], seed: 1))
        #expect(try #require(second.input) === first.output)
        _ = try plain.backward(GradientCheck.random(output.shape, seed: 2))
        #expect(try #require(first.gradOutput) === second.gradInput)
        _ = try network.forward(GradientCheck.random([4, 3], seed: 1))
        _ = try network.backward(GradientCheck.random(output.shape, seed: 2))
        #expect(try #require(first.gradOutput) === second.gradInput)
    }

    /// Reshapes relabel their neighbours' tensors instead of copying them, and give them
    /// their shapes back in backward; the tensor the caller receives keeps its shape.
    @Test func reshapesRelabelTheirNeighboursTensors() throws {
        let first = Recording(6), second = Recording(6)
        let network = Sequential([first, Reshape.unflatten([2, 3]), Activation(.relu), Reshape.flatten(), second, Reshape.unflatten([3, 2])])
        let output = try network.forward(GradientCheck.random([4, 6], seed: 1))
        let firstOutput = try #require(first.output)
        #expect(try #require(second.input) === firstOutput && firstOutput.shape == [4, 6])
        #expect(output !== second.output && output.shape == [4, 3, 2])
        _ = try network.forward(GradientCheck.random([4, 6], seed: 1))
        #expect(firstOutput.shape == [4, 6])
        let gradInput = try network.backward(GradientCheck.random([4, 3, 2], seed: 2))
        #expect(try #require(first.gradOutput) === second.gradInput && gradInput.shape == [4, 6])
        #expect(firstOutput.shape == [4, 6] && output.shape == [4, 3, 2])
        // between forward and backward, the Linear's output has the Unflatten's shape
        let relabelling = Sequential([first, Reshape.unflatten([2, 3]), Activation(.relu), Activation(.tanh)])
        #expect(relabelling.forwardsInPlace == [false, true, true, false])
        _ = try relabelling.forward(GradientCheck.random([4, 6], seed: 1))
        #expect(firstOutput.shape == [4, 2, 3])
        _ = try relabelling.backward(GradientCheck.random([4, 2, 3], seed: 2))
        #expect(firstOutput.shape == [4, 6] && first.gradOutputShape == [4, 6])
    }

    /// Convolutions followed by a ReLU or LeakyReLU, which a Sequential has them apply
    /// (`RectifiesItsOutput`), on every path that writes their output last: oneDNN's kernel
    /// (no bias), the bias pass after it, a transposed kernel's pass after it, col2im then the
    /// bias pass, the way back from the columns with and without a bias, and col2im then a
    /// pass of the rectifier alone.
    static func rectifiedConvolutions() -> [Layer] {
        [
            Conv2d(inChannels: 3, outChannels: 16, kernelSize: 3, padding: 1, bias: false), Activation(.relu),
            Conv2d(inChannels: 16, outChannels: 16, kernelSize: 4, stride: 2, padding: 1), Activation(.leakyReLU(slope: 0.2)),
            ConvTranspose2d(inChannels: 16, outChannels: 16, kernelSize: 4, stride: 2, padding: 1, bias: false),
            Activation(.leakyReLU(slope: 0.1)),
            ConvTranspose2d(inChannels: 16, outChannels: 4, kernelSize: 3, padding: 1), Activation(.relu),
            Conv2d(inChannels: 4, outChannels: 3, kernelSize: 3, padding: 1), Activation(.relu),
            Conv2d(inChannels: 3, outChannels: 2, kernelSize: 3, padding: 1, bias: false), Activation(.relu),
            ConvTranspose2d(inChannels: 2, outChannels: 2, kernelSize: 3, padding: 1, bias: false), Activation(.leakyReLU(slope: 0.3)),
            Activation(.sigmoid),
        ]
    }

    /// Two steps of networks with every kind of neighbour, through a Sequential and layer by
    /// layer on each layer's own storage: the same outputs, input gradients and parameter
    /// gradients to the bit, and the caller's input and gradient untouched.
    @Test(arguments: [
        "conv-bn-relu-convT-bn-leaky-convT-tanh",
        "relu-linear-leaky(-0.3)-linear-relu-tanh-bn-sigmoid",
        "flatten-linear-unflatten-relu-flatten-linear-unflatten-sigmoid",
        "rectified: conv-relu-conv-leaky-convT-leaky-convT-relu-conv-relu-conv-relu-convT-leaky-sigmoid",
        "activated: gn-silu-conv-gn-gelu-conv-gn-silu",
        "activated around: silu-gn-conv-silu-gn-gelu-conv-elu-gn",
    ])
    func inPlaceGivesTheBitsOfSeparateLayers(_ name: String) throws {
        func make() -> [Layer] {
            name.hasPrefix("activated around") ? [
                Pointwise(SiLU()), GroupNorm(groups: 2, channels: 2), Conv2d(inChannels: 2, outChannels: 4, kernelSize: 3, padding: 1),
                Pointwise(SiLU()), GroupNorm(groups: 2, channels: 4), Pointwise(GELU()),
                Conv2d(inChannels: 4, outChannels: 4, kernelSize: 3, padding: 1), Pointwise(ELU(alpha: 1)), GroupNorm(groups: 4, channels: 4),
            ] : name.hasPrefix("activated") ? [
                GroupNorm(groups: 2, channels: 2), Pointwise(SiLU()), Conv2d(inChannels: 2, outChannels: 4, kernelSize: 3, padding: 1),
                GroupNorm(groups: 2, channels: 4), Pointwise(GELU()), Conv2d(inChannels: 4, outChannels: 4, kernelSize: 3, padding: 1),
                GroupNorm(groups: 4, channels: 4), Pointwise(SiLU()),
            ] : name.hasPrefix("rectified") ? InPlaceTests.rectifiedConvolutions() : name.hasPrefix("flatten") ? [
                Reshape.flatten(), Linear(inFeatures: 6, outFeatures: 6), Reshape.unflatten([2, 3]), Activation(.relu),
                Reshape.flatten(), Linear(inFeatures: 6, outFeatures: 6), Reshape.unflatten([3, 2]), Activation(.sigmoid),
            ] : name.hasPrefix("conv") ? [
                Conv2d(inChannels: 2, outChannels: 3, kernelSize: 3, stride: 2, padding: 1), BatchNorm(dimensions: 2, features: 3),
                Activation(.relu), ConvTranspose2d(inChannels: 3, outChannels: 4, kernelSize: 4, stride: 2, padding: 1),
                BatchNorm(dimensions: 2, features: 4), Activation(.leakyReLU(slope: 0.2)),
                ConvTranspose2d(inChannels: 4, outChannels: 2, kernelSize: 3, padding: 1), Activation(.tanh),
            ] : [
                Activation(.relu), Linear(inFeatures: 5, outFeatures: 6), Activation(.leakyReLU(slope: -0.3)),
                Linear(inFeatures: 6, outFeatures: 4), Activation(.relu), Activation(.tanh), BatchNorm(dimensions: 1, features: 4),
                Activation(.sigmoid),
            ]
        }
        let inputShape = name.hasPrefix("flatten") ? [5, 3, 2] : name.hasPrefix("conv") || name.hasPrefix("activated") ? [3, 2, 6, 6]
            : name.hasPrefix("rectified") ? [3, 3, 8, 8] : [7, 5]
        let network = Sequential(make()), separate = make()
        var generator = RandomGenerator(seed: 3)
        for (a, b) in zip(network.layers, separate) {
            Initialization.pytorch.apply(to: a, generator: &generator)
            for (p, q) in zip(a.parameters, b.parameters) { q.parameter.value.copy(from: p.parameter.value) }
        }
        if name.hasPrefix("activated around") {
            // the first GroupNorm applies the activation of the caller's input, the second both
            // of its neighbours, the last the one before it, over its own storage (the gradient
            // given is the caller's)
            #expect(network.activatesPrevious == [false, true, false, false, true, false, false, false, true])
            #expect(network.activatesNext == [false, false, false, false, true, false, false, false, false])
        } else if name.hasPrefix("activated") {
            // each GroupNorm applies its activation, the last over its own storage (the
            // gradient given is the caller's), the others over the convolutions' gradients
            #expect(network.activatesNext == [true, false, false, true, false, false, true, false])
            #expect(!network.activatesPrevious.contains(true))
        } else {
            #expect(network.forwardsInPlace.contains(true) && network.backwardsInPlace.contains(true))
        }
        if name.hasPrefix("rectified") {
            #expect(network.rectifiesNext == (0..<15).map { $0 % 2 == 0 && $0 < 14 })
        }
        for step in 0..<2 {
            let input = GradientCheck.random(inputShape, seed: UInt64(10 + step), margin: 0.05)
            let inputValues = input.values
            let output = try network.forward(input).values
            var x = input
            for layer in separate { x = try layer.forward(x) }
            #expect(output == x.values, "step \(step): outputs")
            #if arch(x86_64)
            if name.hasPrefix("rectified") {
                // the first three run on oneDNN's kernels
                let kernels = network.layers.prefix(6).compactMap { ($0 as? Conv2d)?.kernel ?? ($0 as? ConvTranspose2d)?.kernel }
                #expect(kernels.allSatisfy { $0.hasPrefix("jit") } && kernels.count == 3, "\(kernels)")
            }
            #endif
            #expect(input.values == inputValues, "step \(step): the input was overwritten")
            let gradOutput = GradientCheck.random(x.shape, seed: UInt64(20 + step))
            let gradValues = gradOutput.values
            let gradInput = try network.backward(gradOutput).values
            var g = gradOutput
            for layer in separate.reversed() { g = try layer.backward(g) }
            #expect(gradInput == g.values, "step \(step): input gradients")
            #expect(gradOutput.values == gradValues, "step \(step): the gradient given was overwritten")
            for (a, b) in zip(network.parameters, separate.flatMap(\.parameters)) {
                #expect(a.parameter.grad.values == b.parameter.grad.values, "step \(step): \(a.name)'s gradient")
            }
        }
    }
}
