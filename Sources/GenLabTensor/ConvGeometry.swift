/// The sizes of one 2-D convolution window sweep: input channels and spatial size, kernel,
/// stride and padding, and the output size they give (PyTorch's formula, floor division).
public struct ConvGeometry: Equatable, Sendable {
    public var channels: Int
    public var height: Int
    public var width: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var stride: Int
    public var padding: Int

    public init(channels: Int, height: Int, width: Int, kernel: Int, stride: Int, padding: Int) {
        self.channels = channels
        self.height = height
        self.width = width
        self.kernelHeight = kernel
        self.kernelWidth = kernel
        self.stride = stride
        self.padding = padding
    }

    /// Output rows: ⌊(H + 2p − k) / s⌋ + 1.
    public var outputHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
    /// Output columns: ⌊(W + 2p − k) / s⌋ + 1.
    public var outputWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }
    /// Output positions per image.
    public var outputPlane: Int { outputHeight * outputWidth }
    /// Rows of the column matrix: C·kh·kw.
    public var patchSize: Int { channels * kernelHeight * kernelWidth }

    /// Whether the window fits: positive sizes and at least one output position.
    public var isValid: Bool {
        channels > 0 && height > 0 && width > 0 && kernelHeight > 0 && kernelWidth > 0
            && stride > 0 && padding >= 0
            && height + 2 * padding >= kernelHeight && width + 2 * padding >= kernelWidth
    }
}
