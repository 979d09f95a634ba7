import CKernels

/// A convolution, or its transpose, run by oneDNN's direct kernels at one input shape
/// (`convolution.h`; Winograd's F(4×4, 3×3) kernels for 3×3 stride-1 layers of 16 channels or
/// more on each side): no im2col, no column workspace. The batch is cut into one or two parts
/// by the shapes alone, and the parts run on up to `BLAS.threads` threads, so the bits do
/// not depend on the threads; each part runs a chunk of its images at a time (`chunk`).
public final class DirectConvolution {
    private let handle: OpaquePointer
    /// How many parts the batch is cut into (1 or 2).
    public let parts: Int
    /// How many images each call of a part runs on (see `genlab_convolution_chunk`).
    public let chunk: Int
    /// Which passes it runs: not those producing images of fewer than 16 channels (a first
    /// layer's input gradient, a last layer's output), which stay on im2col.
    public let runsForward: Bool, runsBackwardData: Bool, runsBackwardWeight: Bool
    /// oneDNN's name for the forward kernel, for instance "jit:avx512_core" or
    /// "jit_wino_4x3:avx512_core".
    public let implementation: String
    /// The multiply-adds of one pass over the batch (each pass has the same).
    let multiplyAdds: Int

    /// The shapes of one layer, the rectifier its forward kernel applies to its output (nil:
    /// none) and what its products multiply; see `genlab_convolution_shape`.
    public struct Shape: Hashable, Sendable {
        public var transposed: Bool
        public var batch, inChannels, outChannels, height, width, outHeight, outWidth, kernel, stride, padding: Int
        public var rectifier: Rectifier?
        public var precision: Precision

        public init(transposed: Bool, batch: Int, inChannels: Int, outChannels: Int, height: Int, width: Int,
                    outHeight: Int, outWidth: Int, kernel: Int, stride: Int, padding: Int, rectifier: Rectifier? = nil,
                    precision: Precision = .fp32) {
            (self.transposed, self.batch, self.inChannels, self.outChannels) = (transposed, batch, inChannels, outChannels)
            (self.height, self.width, self.outHeight, self.outWidth) = (height, width, outHeight, outWidth)
            (self.kernel, self.stride, self.padding, self.rectifier) = (kernel, stride, padding, rectifier)
            self.precision = precision
        }
    }

    /// The address space kept free for oneDNN's generated code: when it cannot map it,
    /// oneDNN 2.6 crashes in `dnnl_primitive_create` (SIGSEGV) instead of returning
    /// `dnnl_out_of_memory`, so under a `ulimit -v` too tight for it the program ends first.
    static let codeRoom = 32 << 20

    /// nil when oneDNN runs none of the passes of this shape on this CPU: the layer then
    /// uses im2col.
    public init?(_ shape: Shape) {
        if let room = AddressSpace.room, room < DirectConvolution.codeRoom {
            Tensor.exitOutOfMemory("creating a convolution's kernels (oneDNN needs 32 MiB of address space for its code)")
        }
        var s = genlab_convolution_shape(
            batch: shape.batch, in_channels: shape.inChannels, out_channels: shape.outChannels,
            height: shape.height, width: shape.width, out_height: shape.outHeight, out_width: shape.outWidth,
            kernel: shape.kernel, stride: shape.stride, padding: shape.padding,
            rectified: shape.rectifier == nil ? 0 : 1, slope: shape.rectifier?.slope ?? 0, bf16: shape.precision == .bf16 ? 1 : 0)
        guard let handle = genlab_convolution_create(shape.transposed ? 1 : 0, &s) else { return nil }
        self.handle = handle
        parts = Int(genlab_convolution_parts(handle))
        chunk = genlab_convolution_chunk(handle)
        let directions = genlab_convolution_directions(handle)
        runsForward = directions & Int32(GENLAB_CONVOLUTION_FORWARD) != 0
        runsBackwardData = directions & Int32(GENLAB_CONVOLUTION_BACKWARD_DATA) != 0
        runsBackwardWeight = directions & Int32(GENLAB_CONVOLUTION_BACKWARD_WEIGHT) != 0
        implementation = String(cString: genlab_convolution_implementation(handle))
        let grid = shape.transposed ? shape.height * shape.width : shape.outHeight * shape.outWidth
        multiplyAdds = shape.batch * shape.inChannels * shape.outChannels * shape.kernel * shape.kernel * grid
    }

    deinit { genlab_convolution_destroy(handle) }

    /// oneDNN's version and the kernels it runs on this CPU, for instance
    /// "oneDNN 2.6.3, jit:avx512_core kernels (3×3 stride 1: jit_wino_4x3:avx512_core)".
    public static var library: String { String(cString: genlab_convolution_library()) }

    /// output = the layer applied to input (whole batches, NCHW), without bias, then the
    /// shape's rectifier; only when `runsForward`.
    public func forward(_ input: UnsafePointer<Float>, weight: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>) {
        check(genlab_convolution_set_weight(handle, weight, 0))
        forEachPart { part in genlab_convolution_forward(handle, part, input, output) }
        MatrixWork.add(multiplyAdds)
    }

    /// Sets `gradInput` to ∂L/∂input (when not nil; only when `runsBackwardData`) and adds
    /// ∂L/∂weight to `gradWeight` (when not nil; only when `runsBackwardWeight`), for the
    /// input of the last forward pass.
    public func backward(input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                         gradInput: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>?) {
        check(genlab_convolution_set_weight(handle, weight, 1))
        forEachPart { part in genlab_convolution_backward(handle, part, input, gradOutput, gradInput, gradWeight) }
        MatrixWork.add(multiplyAdds * ((gradInput == nil ? 0 : 1) + (gradWeight == nil ? 0 : 1)))
        if let gradWeight { check(genlab_convolution_finish_weight_gradient(handle, gradWeight)) }
    }

    /// Runs the backward passes `direct` has (none when nil) and returns those left for
    /// im2col: the input gradient when `gradInput` is not nil, and the weight gradient when
    /// `gradWeight` is not nil.
    public static func backward(_ direct: DirectConvolution?, input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
                                weight: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>?,
                                gradWeight: UnsafeMutablePointer<Float>?) -> (data: Bool, weights: Bool) {
        let data = gradInput != nil && direct?.runsBackwardData == true
        let weights = gradWeight != nil && direct?.runsBackwardWeight == true
        if let direct, data || weights {
            direct.backward(input: input, gradOutput: gradOutput, weight: weight,
                            gradInput: data ? gradInput : nil, gradWeight: weights ? gradWeight : nil)
        }
        return (gradInput != nil && !data, gradWeight != nil && !weights)
    }

    /// Runs `call` on each part, on the threads, and checks the statuses once they have joined.
    private func forEachPart(_ call: (Int32) -> Int32) {
        var statuses = [Int32](repeating: 0, count: parts)
        statuses.withUnsafeMutableBufferPointer { statuses in
            ParallelRanges.forEach(parts) { range in
                for part in range { statuses[part] = call(Int32(part)) }
            }
        }
        for status in statuses { check(status) }
    }

    /// A call fails only on invalid arguments, which would be a bug here, or when a thread's
    /// arena cannot grow: memory is exhausted, which ends the program as any other failed
    /// allocation does (`Tensor.exitOutOfMemory`).
    private func check(_ status: Int32) {
        if status == Int32(GENLAB_CONVOLUTION_OUT_OF_MEMORY) { Tensor.exitOutOfMemory("growing a convolution's workspace") }
        precondition(status == 0, "oneDNN convolution failed with status \(status)")
    }
}

/// The direct convolution a layer built for the last input shape it saw (nil where oneDNN
/// has none). Another shape (an evaluation batch, the last partial batch) builds anew and
/// frees the old one, whose buffers are as large as the batch's images; oneDNN keeps the
/// compiled kernels, so building again costs little.
public struct DirectConvolutions {
    private var last: (shape: DirectConvolution.Shape, convolution: DirectConvolution?)?
    /// When false, every shape runs on im2col.
    public var isEnabled = true

    public init() {}

    /// The convolution of the last shape asked for: the one backward runs on.
    public var current: DirectConvolution? { last?.convolution }

    /// The kernel the last shape's forward pass runs on: oneDNN's name for it, or "im2col".
    public var kernel: String {
        guard let current, current.runsForward else { return "im2col" }
        return current.implementation
    }

    /// The convolution for `shape`.
    public mutating func convolution(for shape: DirectConvolution.Shape) -> DirectConvolution? {
        guard isEnabled else {
            last = nil
            return nil
        }
        if let last, last.shape == shape { return last.convolution }
        last = nil // freed before the next one allocates
        let convolution = DirectConvolution(shape)
        last = (shape, convolution)
        return convolution
    }
}
