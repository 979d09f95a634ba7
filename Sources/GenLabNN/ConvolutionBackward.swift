import GenLabTensor

/// The backward pass `Conv2d` and `ConvTranspose2d` share: the bias gradient (the channel
/// sums of ∂L/∂output), the input gradient by Winograd's algorithm where `winograd` says it
/// runs (`WinogradConvolution`), the passes oneDNN runs (`direct`), then those left for
/// im2col, which `byColumns(data, weights)` computes.
func convolutionBackward(_ gradOutput: Tensor, input: Tensor, gradInput: Tensor, weight: Parameter, bias: Parameter?,
                         winograd: (WinogradConvolution, WinogradConvolution.Pass)?, direct: DirectConvolution?,
                         accumulateParameterGradients: Bool, byColumns: (_ data: Bool, _ weights: Bool) -> Void) {
    let shape = gradOutput.shape
    if accumulateParameterGradients, let bias {
        ChannelLayout.accumulateChannelSums(gradOutput.data, batch: shape[0], channels: shape[1], plane: shape[2] * shape[3],
                                            into: bias.grad.data)
    }
    if let (convolution, pass) = winograd {
        convolution.correlate(pass, gradOutput.data, batch: shape[0], weight: weight.value.data, into: gradInput.data)
    }
    let left = DirectConvolution.backward(direct, input: input.data, gradOutput: gradOutput.data, weight: weight.value.data,
                                          gradInput: winograd == nil ? gradInput.data : nil,
                                          gradWeight: accumulateParameterGradients ? weight.grad.data : nil)
    if left.data || left.weights { byColumns(left.data, left.weights) }
}
