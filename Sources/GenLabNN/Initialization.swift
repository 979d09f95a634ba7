import Foundation

/// How a network's parameters are drawn before training.
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
        switch layer {
        case let sequential as Sequential:
            for child in sequential.layers { apply(to: child, generator: &generator) }
        case let wrapped as SpectralNorm:
            drawWeighted(weight: wrapped.weightOrig, bias: wrapped.module.bias,
                         isConvolution: wrapped.module is Conv2d, generator: &generator)
        case let linear as Linear:
            drawWeighted(weight: linear.weight, bias: linear.bias, isConvolution: false, generator: &generator)
        case let conv as Conv2d:
            drawWeighted(weight: conv.weight, bias: conv.bias, isConvolution: true, generator: &generator)
        case let convT as ConvTranspose2d:
            drawWeighted(weight: convT.weight, bias: convT.bias, isConvolution: true, generator: &generator)
        case let norm as BatchNorm:
            norm.bias.value.fill(0)
            if self == .dcgan {
                generator.fillNormal(norm.weight.value.buffer, mean: 1, std: 0.02)
            } else {
                norm.weight.value.fill(1)
            }
        default:
            break
        }
    }

    private func drawWeighted(weight: Parameter, bias: Parameter?, isConvolution: Bool,
                              generator: inout RandomGenerator) {
        let shape = weight.value.shape
        let fanIn = shape.dropFirst().reduce(1, *)
        let bound = 1 / Float(fanIn).squareRoot()
        if self == .dcgan && isConvolution {
            generator.fillNormal(weight.value.buffer, mean: 0, std: 0.02)
        } else {
            generator.fillUniform(weight.value.buffer, low: -bound, high: bound)
        }
        if let bias { generator.fillUniform(bias.value.buffer, low: -bound, high: bound) }
    }
}
