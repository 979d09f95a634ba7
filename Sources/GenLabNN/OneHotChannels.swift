/// A conditional GAN's conditioning of images: the one-hot label as `classes` constant
/// channels appended to each image, (N, C, …) → (N, C + classes, …), as
/// `torch.cat([x, F.one_hot(y, classes)[:, :, None, None].expand(-1, -1, H, W)], 1)`. The
/// backward pass drops the label channels.
public struct OneHotChannels: Sendable {
    public var classes: Int
    public init(classes: Int) { self.classes = classes }

    /// Writes [x | label channels] into `output`; a label outside 0..<classes is an error.
    public func forward(_ x: Tensor, labels: [Int32], into output: Tensor) throws(ShapeError) {
        guard x.shape.count >= 2 else { throw ShapeError("one-hot channels: inputs need a channel dimension, found \(x.shape.shapeDescription)") }
        let n = x.shape[0], plane = x.shape.dropFirst(2).reduce(1, *), item = x.count / Swift.max(n, 1)
        guard labels.count == n else { throw ShapeError("one-hot channels: \(labels.count) labels for \(n) images") }
        let width = item + classes * plane
        output.resize(to: [n, x.shape[1] + classes] + x.shape.dropFirst(2))
        output.fill(0)
        for i in 0..<n {
            let label = Int(labels[i])
            guard (0..<classes).contains(label) else { throw ShapeError("one-hot channels: label \(label) outside 0..<\(classes)") }
            (output.data + i * width).update(from: x.data + i * item, count: item)
            (output.data + i * width + item + label * plane).update(repeating: 1, count: plane)
        }
    }

    /// ∂L/∂x from ∂L/∂output: the first channels of each image, into `gradInput` of `shape`.
    public func backward(_ gradOutput: Tensor, shape: [Int], into gradInput: Tensor) throws(ShapeError) {
        let n = shape.first ?? 0, plane = shape.dropFirst(2).reduce(1, *), item = shape.dropFirst().reduce(1, *)
        let width = item + classes * plane
        guard gradOutput.count == n * width else {
            throw ShapeError("one-hot channels: gradient \(gradOutput.shape.shapeDescription) does not fit images \(shape.shapeDescription) with \(classes) label channels")
        }
        gradInput.resize(to: shape)
        for i in 0..<n { (gradInput.data + i * item).update(from: gradOutput.data + i * width, count: item) }
    }
}
