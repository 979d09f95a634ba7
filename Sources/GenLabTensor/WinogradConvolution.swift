import CKernels

/// A stride-1 correlation with a 5×5 or 3×3 kernel by Winograd's minimal filtering F(2×2, 5×5)
/// or F(4×4, 3×3) (`winograd.h`): the input cut into 6 × 6 tiles two or four pixels apart,
/// each tile and each channel pair's kernel transformed to 36 points, one product per point,
/// and each tile's 2 × 2 or 4 × 4 outputs transformed back: 36 multiply-adds per tile and
/// channel pair where a direct kernel runs 100 (5×5) or 144 (3×3), at a rounding error about
/// ten times a direct kernel's.
///
/// The input is copied channels-last with its zero border, a chunk of images at a time; the
/// tiles run in groups, each transformed, multiplied and transformed back at once. The
/// chunks and groups depend on the shapes only and each output pixel is computed by one group
/// in a fixed order, so the bits do not depend on the threads (`BLAS.threads` share the
/// groups). Needs AVX2 and FMA. The workspaces are released after each call.
public final class WinogradConvolution {
    /// The transformed weights (36 points × out / 16 blocks × in × 16, out rounded up to a
    /// multiple of 16).
    private let weights = Tensor(zeros: [0])
    /// A chunk of images, channels last, with the zero border.
    private let padded = Tensor(zeros: [0])
    /// Each thread's transformed input and products of a group (`genlab_winograd_workspace`).
    private let workspaces = Tensor(zeros: [0])
    /// The bytes of a chunk of padded images.
    static let chunkBytes = 8 << 20
    /// The bytes a group's transformed input and products aim at (measured on Zen 3: 256 KiB
    /// groups reread the weights too often, 1 – 4 MiB ran alike). A group has at least
    /// in·out / (in + out) tiles, so that its transformed input and products are as large as
    /// the transformed weights it reads (the lab DCGAN's 256 → 512 input gradient: 92 ms a
    /// pass, against 114 ms with groups of 18 tiles and 125 with twice as many).
    static let groupBytes = 2 << 20

    /// The most bytes its transformed weights, a padded image or a group's workspace may take:
    /// a wider layer or a larger image stays on the other kernels, a larger group is cut.
    static let largestWorkspace = 64 << 20

    public init() {}

    /// Whether this CPU runs it (AVX2 and FMA).
    public static var isAvailable: Bool { genlab_winograd_available() != 0 }

    /// Whether layers run it by default (`Conv2d.usesWinograd`): where it was measured faster
    /// than oneDNN's kernels, CPUs with AVX2 and FMA but no AVX-512 (oneDNN 2.6.3's `jit:avx2`).
    /// On AVX-512, oneDNN's `jit:avx512_core` kernels run twice its lanes; not measured against
    /// it yet, so they keep those layers.
    public static var isPreferred: Bool { isAvailable && !BLASKernel.Features.current.contains(.avx512f) }

    /// What `genlab version` and `genlab bench` print about it.
    public static var report: String {
        if isPreferred {
            return "training passes of 3×3 and 5×5 stride 1: GenLab's Winograd F(4×4, 3×3), F(2×2, 5×5) where they save multiply-adds"
        }
        return isAvailable ? "3×3 and 5×5 stride 1: oneDNN (GenLab's Winograd F(4×4, 3×3), F(2×2, 5×5) run on AVX2 CPUs without AVX-512)"
            : "3×3 and 5×5 stride 1: no Winograd (GenLab's F(4×4, 3×3), F(2×2, 5×5) need AVX2 and FMA)"
    }

    /// One pass of a convolution layer as a correlation: its input side (channels, height,
    /// width, zero padding), its output channels, its kernel's side, and how it reads the
    /// layer's weight: weight[k][c] (out × in × kernel × kernel), or weight[c][k] (in × out ×
    /// kernel × kernel) when `transposedWeight`, rotated by 180° when `flipped`.
    /// `directMultiplies`: what a direct kernel multiplies per channel pair and image (kernel²
    /// per output pixel, or, for a transposed convolution's forward pass, per input pixel).
    public struct Pass: Sendable {
        public var inChannels, height, width, padding, outChannels, kernel: Int
        public var transposedWeight, flipped: Bool
        public var directMultiplies: Int

        public init(inChannels: Int, height: Int, width: Int, padding: Int, outChannels: Int, kernel: Int,
                    transposedWeight: Bool, flipped: Bool, directMultiplies: Int) {
            (self.inChannels, self.height, self.width, self.padding) = (inChannels, height, width, padding)
            (self.outChannels, self.kernel, self.transposedWeight, self.flipped) = (outChannels, kernel, transposedWeight, flipped)
            self.directMultiplies = directMultiplies
        }

        var outHeight: Int { height + 2 * padding - kernel + 1 }
        var outWidth: Int { width + 2 * padding - kernel + 1 }
        /// The outputs a tile has along each side: 2 (F(2×2, 5×5)) or 4 (F(4×4, 3×3)).
        var tileOutputs: Int { 7 - kernel }
        var tilesY: Int { (outHeight + tileOutputs - 1) / tileOutputs }
        var tilesX: Int { (outWidth + tileOutputs - 1) / tileOutputs }
        /// The output channels rounded up to the product kernel's block.
        var roundedOut: Int {
            let block = Int(GENLAB_WINOGRAD_OUTPUT_BLOCK)
            return (outChannels + block - 1) / block * block
        }
        /// The floats of one image copied channels-last with its zero border.
        var paddedImage: Int { (tileOutputs * tilesY + 6 - tileOutputs) * (tileOutputs * tilesX + 6 - tileOutputs) * inChannels }
    }

    /// Whether `pass` runs here with `stride`: a 5×5 or 3×3 kernel, stride 1, a padding of 0 to
    /// kernel − 1, fp32 (bf16 products multiply the operands themselves),
    /// 16 channels or more on each side (with fewer, the transforms cost more than the products
    /// they save), a CPU with AVX2 and FMA, at least 1.5× fewer multiply-adds than
    /// `directMultiplies`, and transformed weights and a padded image within `largestWorkspace`.
    public static func runs(_ pass: Pass, stride: Int, precision: Precision) -> Bool {
        guard pass.kernel == 5 || pass.kernel == 3, stride == 1, (0..<pass.kernel).contains(pass.padding), precision == .fp32, pass.inChannels >= 16,
              pass.outChannels >= 16, pass.outHeight > 0, pass.outWidth > 0, isAvailable else { return false }
        let floats = largestWorkspace / MemoryLayout<Float>.size
        guard pass.inChannels <= floats / 36 / pass.roundedOut, pass.paddedImage <= floats else { return false }
        return 3 * 36 * pass.tilesY * pass.tilesX <= 2 * pass.directMultiplies
    }

    /// output (batch × out × (H + 2p − k + 1) × (W + 2p − k + 1)) = the correlation of `input` (batch ×
    /// in × H × W, zero-padded) with each channel pair's kernel, as `pass` reads `weight`.
    public func correlate(_ pass: Pass, _ input: UnsafePointer<Float>, batch: Int, weight: UnsafePointer<Float>,
                          into output: UnsafeMutablePointer<Float>) {
        let (inChannels, height, width, padding, outChannels) = (pass.inChannels, pass.height, pass.width, pass.padding, pass.outChannels)
        let (outHeight, outWidth, tilesY, tilesX) = (pass.outHeight, pass.outWidth, pass.tilesY, pass.tilesX)
        let (roundedOut, paddedImage, slotBlock) = (pass.roundedOut, pass.paddedImage, Int(GENLAB_WINOGRAD_SLOT_BLOCK))
        let chunk = min(batch, max(1, WinogradConvolution.chunkBytes / (paddedImage * MemoryLayout<Float>.size)))
        let slotBytes = 36 * (inChannels + roundedOut) * MemoryLayout<Float>.size
        let byCache = WinogradConvolution.groupBytes / slotBytes
        let byWeights = inChannels * roundedOut / (inChannels + roundedOut)
        let byWorkspace = WinogradConvolution.largestWorkspace / slotBytes / slotBlock * slotBlock
        let group = min(max(slotBlock, byWorkspace), (max(1, byCache, byWeights) + slotBlock - 1) / slotBlock * slotBlock)
        var shape = genlab_winograd_shape(
            images: chunk, in_channels: inChannels, height: height, width: width, padding: padding,
            out_channels: outChannels, out_height: outHeight, out_width: outWidth, taps: pass.kernel, tiles_y: tilesY, tiles_x: tilesX,
            group: group)
        weights.resize(to: [36, inChannels, roundedOut])
        ParallelRanges.forEach(inChannels) { part in
            genlab_winograd_weights(&shape, weight, pass.transposedWeight ? 1 : 0, pass.flipped ? 1 : 0, part.lowerBound, part.count,
                                    weights.data)
        }
        let workspace = genlab_winograd_workspace(&shape)
        for start in stride(from: 0, to: batch, by: chunk) {
            shape.images = min(chunk, batch - start)
            padded.resize(to: [shape.images, paddedImage])
            let images = input + start * inChannels * height * width
            ParallelRanges.forEach(shape.images) { part in
                genlab_winograd_pad(&shape, images, part.lowerBound, part.count, padded.data)
            }
            let groups = (shape.images * tilesY * tilesX + group - 1) / group
            let outputs = output + start * outChannels * outHeight * outWidth
            // each thread's share of the groups, in its own workspace
            let parts = min(BLAS.threads, groups)
            workspaces.resize(to: [parts, workspace])
            ParallelRanges.forEach(parts) { range in
                for part in range {
                    let first = groups * part / parts, end = groups * (part + 1) / parts
                    genlab_winograd_correlate(&shape, padded.data, weights.data, first, end - first, outputs,
                                              workspaces.data + part * workspace)
                }
            }
        }
        MatrixWork.add(36 * outChannels * inChannels * batch * tilesY * tilesX)
        weights.release()
        padded.release()
        workspaces.release()
    }
}
