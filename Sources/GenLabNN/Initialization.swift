/// How a network's parameters are drawn before training. Written `init:` in experiment
/// files; each layer's `reset` applies it to its own parameters.
public enum Initialization: String, Sendable, CaseIterable {
    /// PyTorch's defaults: weights Kaiming-uniform with a = √5 (U(±1/√fan_in)), biases
    /// U(±1/√fan_in), BatchNorm weight 1 and bias 0. fan_in = weight.size(1)·k·k, so for a
    /// ConvTranspose2d it counts *output* channels, as in PyTorch.
    case pytorch
    /// DCGAN's `weights_init`: Conv and ConvTranspose weights N(0, 0.02), BatchNorm weight
    /// N(1, 0.02) and bias 0; everything else keeps PyTorch's default.
    case dcgan

    /// Draws the parameters of `layer` (recursively, in order) from `generator`.
    public func apply(to layer: Layer, generator: inout RandomGenerator) {
        layer.reset(self, generator: &generator)
    }

    /// Draws a Linear's or convolution's weight and bias: U(±1/√fan_in), or N(0, 0.02) for a
    /// convolution's weight under DCGAN's scheme.
    func draw(weight: Parameter, bias: Parameter?, convolution: Bool, generator: inout RandomGenerator) {
        let fanIn = weight.value.shape.dropFirst().reduce(1, *)
        let bound = 1 / Float(fanIn).squareRoot()
        if self == .dcgan && convolution {
            generator.fillNormal(weight.value.buffer, mean: 0, std: 0.02)
        } else {
            generator.fillUniform(weight.value.buffer, low: -bound, high: bound)
        }
        if let bias { generator.fillUniform(bias.value.buffer, low: -bound, high: bound) }
    }
}
