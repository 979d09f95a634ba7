import GenLabNN

/// A Conv2d or ConvTranspose2d for the kernel-agreement suites: its kernel switches set, its
/// parameters and their gradients (which accumulate onto what is there) filled from fixed
/// seeds, so that two layers built alike differ only in the kernels they run.
public enum SeededConvolution {
    public static func make(transposed: Bool, inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1,
                            padding: Int, outputPadding: Int = 0, direct: Bool, winograd: Bool) -> Layer {
        let layer: Layer
        if transposed {
            let t = ConvTranspose2d(inChannels: inChannels, outChannels: outChannels, kernelSize: kernel, stride: stride,
                                    padding: padding, outputPadding: outputPadding)
            (t.usesDirectKernels, t.usesWinograd) = (direct, winograd)
            layer = t
        } else {
            let c = Conv2d(inChannels: inChannels, outChannels: outChannels, kernelSize: kernel, stride: stride, padding: padding)
            (c.usesDirectKernels, c.usesWinograd) = (direct, winograd)
            layer = c
        }
        for (i, p) in layer.parameters.enumerated() {
            p.parameter.value.copy(from: GradientCheck.random(p.parameter.value.shape, seed: UInt64(10 + i)))
            p.parameter.grad.copy(from: GradientCheck.random(p.parameter.grad.shape, seed: UInt64(20 + i)))
        }
        return layer
    }

    /// The kernel a Conv2d's or ConvTranspose2d's last forward pass ran on ("" for other layers).
    public static func kernel(of layer: Layer) -> String {
        (layer as? Conv2d)?.kernel ?? (layer as? ConvTranspose2d)?.kernel ?? ""
    }
}
