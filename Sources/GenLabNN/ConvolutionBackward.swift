import GenLabTensor

/// The backward pass `Conv2d` and `ConvTranspose2d` share: the bias gradient (the channel
/// sums of ∂L/∂output), the passes oneDNN runs (`direct`), then those left for im2col,
/// which `byColumns(data, weights)` computes.
func convolutionBackward(_ gradOutput: Tensor, input: Tensor, gradInput: Tensor, weight: Parameter, bias: Parameter?,
                         direct: DirectConvolution?, accumulateParameterGradients: Bool,
                         byColumns: (_ data: Bool, _ weights: Bool) -> Void) {
    let shape = gradOutput.shape
    if accumulateParameterGradients, let bias {
        ChannelLayout.accumulateChannelSums(gradOutput.data, batch: shape[0], channels: shape[1], plane: shape[2] * shape[3],
                                            into: bias.grad.data)
    }
    let left = DirectConvolution.backward(direct, input: input.data, gradOutput: gradOutput.data, weight: weight.value.data,
                                          gradInput: gradInput.data, gradWeight: accumulateParameterGradients ? weight.grad.data : nil)
    if left.data || left.weights { byColumns(left.data, left.weights) }
}
