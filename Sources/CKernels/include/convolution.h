// Direct convolutions through oneDNN (the library PyTorch itself runs on CPUs), on NCHW
// images and PyTorch's weight layouts, without im2col.
#ifndef GENLAB_CONVOLUTION_H
#define GENLAB_CONVOLUTION_H

/// One convolution layer at one input shape: its oneDNN primitives for forward, the data
/// gradient and the weight gradient, with the reorders between NCHW and the blocked layouts
/// they run fastest in. Every buffer in those layouts (the weights, the input reordered for
/// the weight gradient) is borrowed from the calling thread's arena for the length of a
/// call; it keeps none between calls.
///
/// The batch is cut into `genlab_convolution_parts` equal parts by a rule on the shapes
/// alone. Each part runs on one thread, and the parts may run at once on different threads:
/// the bits do not depend on how many threads there are. A part runs its images a chunk at
/// a time (`genlab_convolution_chunk`, also by the shapes alone), so that its blocked copies
/// stay in the core's own cache. The parts of a call, and the weight gradient's finish, must
/// come after genlab_convolution_set_weight on the same thread.
typedef struct genlab_convolution genlab_convolution;

/// The shapes of one layer: `batch` images of in_channels × height × width become
/// out_channels × out_height × out_width ones, through a kernel × kernel window with this
/// stride and zero padding on each side. When `rectified` is not 0, the forward pass writes
/// its output rectified: y = x where x > 0, slope · x elsewhere (a ReLU or LeakyReLU after
/// the layer, fused into its kernel). When `bf16` is not 0, the passes multiply in bfloat16
/// with float accumulation (PyTorch's CPU autocast): the input, the weights and the output
/// gradient are rounded to bfloat16 (to nearest even) as they are reordered in, and every
/// result (output, input gradient, weight gradient) is written in float.
typedef struct {
    long batch, in_channels, out_channels, height, width, out_height, out_width, kernel, stride, padding;
    int rectified;
    float slope;
    int bf16;
} genlab_convolution_shape;

/// The passes of a layer.
enum {
    GENLAB_CONVOLUTION_FORWARD = 1,
    GENLAB_CONVOLUTION_BACKWARD_DATA = 2,
    GENLAB_CONVOLUTION_BACKWARD_WEIGHT = 4,
};

/// The status a call returns when a thread's arena cannot grow (oneDNN's
/// dnnl_out_of_memory).
enum { GENLAB_CONVOLUTION_OUT_OF_MEMORY = 1 };

/// Builds the primitives of `torch.nn.Conv2d` (transposed 0, weight out × in × k × k) or of
/// `torch.nn.ConvTranspose2d` (transposed 1, weight in × out × k × k, its output padding
/// implied by out_height and out_width), for the passes oneDNN runs fast
/// (genlab_convolution_directions). Returns NULL when it runs none of them on this CPU, or
/// cannot allocate its buffers.
genlab_convolution *genlab_convolution_create(int transposed, const genlab_convolution_shape *shape);

void genlab_convolution_destroy(genlab_convolution *convolution);

/// oneDNN's version and the kernels it runs here on probes of 16 channels, for instance
/// "oneDNN 2.6.3, jit:avx512_core kernels (3×3 stride 1: jit_wino_4x3:avx512_core)", or why
/// none run.
const char *genlab_convolution_library(void);

/// How many parts the batch is cut into (1 or 2); a part holds batch / parts images.
int genlab_convolution_parts(const genlab_convolution *convolution);

/// How many images each call of a part runs on (a divisor of batch / parts): a part's images
/// go through its passes a chunk at a time, each small enough for the blocked copies of its
/// images to stay in the core's own cache.
long genlab_convolution_chunk(const genlab_convolution *convolution);

/// The passes it runs (GENLAB_CONVOLUTION_… flags): not those that produce images of fewer
/// than 16 channels, which the caller runs on im2col.
int genlab_convolution_directions(const genlab_convolution *convolution);

/// The name of oneDNN's implementation of the forward pass (for instance "jit:avx512_core", or
/// "jit_wino_4x3:avx512_core" for a 3×3 stride-1 layer of 16 channels or more on each side:
/// Winograd's F(4×4, 3×3), whose results differ from the direct kernels' by rounding).
const char *genlab_convolution_implementation(const genlab_convolution *convolution);

/// Reorders `weight` for the parts' forward passes (backward 0) or data gradients
/// (backward 1), and readies the caller's arena; call it once before running the parts of a
/// pass. Returns 0, or a oneDNN status.
int genlab_convolution_set_weight(genlab_convolution *convolution, const float *weight, int backward);

/// The forward pass of one part: `input` and `output` point at the whole batch (only when
/// the forward pass is among its directions).
int genlab_convolution_forward(genlab_convolution *convolution, int part, const float *input, float *output);

/// The backward pass of one part (whole batches for every pointer): sets ∂L/∂input when
/// `grad_input` is not NULL, and adds ∂L/∂weight to `grad_weight` when it is not NULL (each
/// only when among its directions)
/// (part 1 keeps its share for genlab_convolution_finish_weight_gradient, so that part 0's
/// is always added first). The input must be the one of the last forward pass.
int genlab_convolution_backward(genlab_convolution *convolution, int part, const float *input,
                                const float *grad_output, float *grad_input, float *grad_weight);

/// Adds the weight gradient part 1 kept, after every part's backward pass (nothing with one
/// part). Returns 0, or a oneDNN status.
int genlab_convolution_finish_weight_gradient(genlab_convolution *convolution, float *grad_weight);

#endif
