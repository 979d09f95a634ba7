#include "convolution.h"
#include "arena.h"
#include "onednn.h"
#include "matmul.h"

#include <dnnl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


_Static_assert(GENLAB_CONVOLUTION_OUT_OF_MEMORY == dnnl_out_of_memory, "the header's status is oneDNN's");

/// A tensor as the caller keeps it (`user`, whose data pointer is set at each call) and as a
/// primitive wants it (`inner`, NULL when both layouts are the same), with the reorder
/// between them: user → inner for inputs, inner → user for outputs (or user += inner, for
/// gradients). `inner` sits at `offset` in an arena.
typedef struct {
    dnnl_memory_t user, inner;
    dnnl_primitive_t reorder;
    size_t offset;
    size_t rounded_floats; // not 0: the floats of `inner`, rounded to bfloat16 once moved in
} port;

typedef struct {
    dnnl_stream_t stream;
    dnnl_primitive_t forward, backward_data, backward_weight;
    port src, dst;                    // forward
    port diff_dst, diff_src;          // data gradient
    // weight gradient: the input reordered again (not kept from forward: a copy of the
    // input as large as it, for the same speed), and diff_dst when its layout differs
    port weight_src, weight_diff_dst;
    port diff_weight;                 // the weight gradient, added to the user's
    dnnl_memory_t scratchpad;
} part_state;

struct genlab_convolution {
    int parts;
    long chunk, chunks;                         // images a call runs on, calls per part
    long src_floats, dst_floats, weight_floats; // per chunk, per chunk, whole
    dnnl_primitive_desc_t forward_pd, backward_data_pd, backward_weight_pd;
    port weight_forward, weight_backward;
    dnnl_stream_t stream;
    int directions; // GENLAB_CONVOLUTION_FORWARD | …_BACKWARD_DATA | …_BACKWARD_WEIGHT it runs
    int share_diff_dst;
    // the part arenas' layouts: bytes of a forward and a backward call, and their scratchpads
    size_t forward_bytes, backward_bytes, forward_scratch, backward_scratch;
    // the caller's arena: the reordered weights, and after them part 1's weight gradient
    // (in the caller's layout), kept from its backward pass until
    // genlab_convolution_finish_weight_gradient
    size_t caller_forward_bytes, caller_backward_bytes, kept_offset;
    float *kept;
    part_state part[2];
};

/// Reserves `bytes` at the end of a layout of `*total` bytes and returns their offset.
static size_t place(size_t *total, size_t bytes) {
    size_t offset = *total;
    *total += arena_rounded(bytes);
    return offset;
}


/// How a port moves its tensor: in before the primitive, in and rounded to bfloat16 values
/// (kept in float), out after it, or added out.
enum { PORT_IN, PORT_ROUNDED, PORT_OUT, PORT_ADD };

/// A port whose inner buffer is placed in an arena layout; one that adds or rounds always has
/// an inner buffer.
static dnnl_status_t port_create(port *p, const dnnl_memory_desc_t *user_md, const dnnl_memory_desc_t *inner_md,
                                 int direction, size_t *layout) {
    TRY(dnnl_memory_create(&p->user, user_md, genlab_engine(), DNNL_MEMORY_NONE));
    if (direction == PORT_ROUNDED) p->rounded_floats = dnnl_memory_desc_get_size(inner_md) / sizeof(float);
    if ((direction == PORT_IN || direction == PORT_OUT) && dnnl_memory_desc_equal(user_md, inner_md)) return dnnl_success;
    p->offset = place(layout, dnnl_memory_desc_get_size(inner_md));
    TRY(dnnl_memory_create(&p->inner, inner_md, genlab_engine(), DNNL_MEMORY_NONE));
    dnnl_primitive_attr_t attr;
    TRY(dnnl_primitive_attr_create(&attr));
    dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user);
    dnnl_post_ops_t sum = NULL;
    if (direction == PORT_ADD) {
        // user = inner + user, one rounding per element
        dnnl_post_ops_create(&sum);
        dnnl_post_ops_append_sum(sum, 1.0f);
        dnnl_primitive_attr_set_post_ops(attr, sum);
    }
    dnnl_primitive_desc_t pd;
    dnnl_status_t status = direction >= PORT_OUT
                               ? dnnl_reorder_primitive_desc_create(&pd, inner_md, genlab_engine(), user_md, genlab_engine(), attr)
                               : dnnl_reorder_primitive_desc_create(&pd, user_md, genlab_engine(), inner_md, genlab_engine(), attr);
    if (sum) dnnl_post_ops_destroy(sum);
    dnnl_primitive_attr_destroy(attr);
    if (status != dnnl_success) return status;
    const dnnl_memory_desc_t *scratch = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    if (scratch && dnnl_memory_desc_get_size(scratch) > 0) status = dnnl_unimplemented; // reorders here need none
    if (status == dnnl_success) status = dnnl_primitive_create(&p->reorder, pd);
    dnnl_primitive_desc_destroy(pd);
    return status;
}

static void port_destroy(port *p) {
    if (p->reorder) dnnl_primitive_destroy(p->reorder);
    if (p->inner) dnnl_memory_destroy(p->inner);
    if (p->user) dnnl_memory_destroy(p->user);
}

static dnnl_memory_t port_memory(const port *p) { return p->inner ? p->inner : p->user; }

/// Points a borrowed inner buffer into the arena at `base`.
static dnnl_status_t port_bind(port *p, char *base) {
    if (!p->inner) return dnnl_success;
    return dnnl_memory_set_data_handle(p->inner, base + p->offset);
}

/// Points the port at `data` and reorders it in (output 0) or out, or adds it out (output 1).
static dnnl_status_t port_move(port *p, dnnl_stream_t stream, const float *data, int output) {
    TRY(dnnl_memory_set_data_handle(p->user, (void *)data));
    if (!p->reorder) return dnnl_success;
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, output ? p->inner : p->user}, {DNNL_ARG_TO, output ? p->user : p->inner}};
    TRY(dnnl_primitive_execute(p->reorder, stream, 2, args));
    if (p->rounded_floats) {
        void *inner;
        TRY(dnnl_memory_get_data_handle(p->inner, &inner));
        genlab_round_bf16(inner, inner, (long)p->rounded_floats);
    }
    return dnnl_success;
}

static dnnl_status_t run(dnnl_primitive_t primitive, const part_state *p, int count, dnnl_exec_arg_t *args) {
    args[count] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, p->scratchpad};
    return dnnl_primitive_execute(primitive, p->stream, count + 1, args);
}

static const dnnl_memory_desc_t *query(const_dnnl_primitive_desc_t pd, dnnl_query_t what) {
    return dnnl_primitive_desc_query_md(pd, what, 0);
}

static size_t scratch_size(const_dnnl_primitive_desc_t pd) {
    const dnnl_memory_desc_t *md = query(pd, dnnl_query_scratchpad_md);
    return md ? dnnl_memory_desc_get_size(md) : 0;
}

/// Whether oneDNN runs this one without im2col: a jit kernel (direct, "jit:…", or Winograd,
/// "jit_wino_…"), or in bfloat16 a kernel of small matrix products on tiles
/// ("brg:avx512_core_amx"); not its gemm or reference one. (In float, the brg kernels stay
/// out: the float passes keep the kernels, and so the bits, they had.)
static int is_direct(const_dnnl_primitive_desc_t pd, int bf16) {
    const char *name = NULL;
    dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name);
    return name && (strncmp(name, "jit", 3) == 0 || (bf16 && strncmp(name, "brg", 3) == 0));
}

/// Builds the primitives with oneDNN's direct kernels, or with its Winograd ones
/// (`winograd`: F(4×4, 3×3), for 3×3 stride-1 layers, failing where oneDNN has none).
static dnnl_status_t build(genlab_convolution *c, int transposed, const genlab_convolution_shape *s, int winograd) {
    long images = c->chunk;
    dnnl_dims_t src_dims = {images, s->in_channels, s->height, s->width};
    dnnl_dims_t dst_dims = {images, s->out_channels, s->out_height, s->out_width};
    dnnl_dims_t weight_dims = {s->out_channels, s->in_channels, s->kernel, s->kernel};
    dnnl_dims_t strides = {s->stride, s->stride}, padding_l = {s->padding, s->padding}, padding_r;
    for (int i = 0; i < 2; i++) {
        long in = i ? s->width : s->height, out = i ? s->out_width : s->out_height;
        // conv: out = (in + pl + pr − k) / s + 1; transposed: out = (in − 1)·s + k − pl − pr
        padding_r[i] = transposed ? (in - 1) * s->stride + s->kernel - s->padding - out : s->padding;
    }
    dnnl_memory_desc_t src_user, dst_user, weight_user;
    TRY(dnnl_memory_desc_init_by_tag(&src_user, 4, src_dims, dnnl_f32, dnnl_nchw));
    TRY(dnnl_memory_desc_init_by_tag(&dst_user, 4, dst_dims, dnnl_f32, dnnl_nchw));
    TRY(dnnl_memory_desc_init_by_tag(&weight_user, 4, weight_dims, dnnl_f32, transposed ? dnnl_iohw : dnnl_oihw));
    // what the passes multiply (`…_in`: the input, the weights, the output gradient) and what
    // they write (`…_out`: the output, the input gradient, the weight gradient). In bfloat16,
    // a layer of fewer than 16 channels on a side runs the float kernels on operands rounded
    // to bfloat16 values: the same products (a product of two bfloat16 values is exact in
    // float), summed in float as the bfloat16 kernels sum them. Measured on AMX: oneDNN's
    // bfloat16 kernels ran the ARENA VAE's 1 → 16 and 16 → 1 weight gradients 10× slower
    // than its float ones.
    int rounds = s->bf16 && (s->in_channels < 16 || s->out_channels < 16), bf16_kernels = s->bf16 && !rounds;
    int in = rounds ? PORT_ROUNDED : PORT_IN;
    dnnl_data_type_t multiplied = bf16_kernels ? dnnl_bf16 : dnnl_f32;
    dnnl_memory_desc_t src_in, dst_in, weight_in, src_out, dst_out, weight_out;
    TRY(dnnl_memory_desc_init_by_tag(&src_in, 4, src_dims, multiplied, dnnl_format_tag_any));
    TRY(dnnl_memory_desc_init_by_tag(&dst_in, 4, dst_dims, multiplied, dnnl_format_tag_any));
    TRY(dnnl_memory_desc_init_by_tag(&weight_in, 4, weight_dims, multiplied, dnnl_format_tag_any));
    TRY(dnnl_memory_desc_init_by_tag(&src_out, 4, src_dims, dnnl_f32, dnnl_format_tag_any));
    TRY(dnnl_memory_desc_init_by_tag(&dst_out, 4, dst_dims, dnnl_f32, dnnl_format_tag_any));
    TRY(dnnl_memory_desc_init_by_tag(&weight_out, 4, weight_dims, dnnl_f32, dnnl_format_tag_any));

    dnnl_primitive_attr_t attr;
    TRY(dnnl_primitive_attr_create(&attr));
    dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user);
    // oneDNN describes both kinds with one descriptor type and calls of the same shape
    __typeof__(&dnnl_convolution_forward_desc_init) forward_init =
        transposed ? dnnl_deconvolution_forward_desc_init : dnnl_convolution_forward_desc_init;
    __typeof__(&dnnl_convolution_backward_data_desc_init) data_init =
        transposed ? dnnl_deconvolution_backward_data_desc_init : dnnl_convolution_backward_data_desc_init;
    __typeof__(&dnnl_convolution_backward_weights_desc_init) weight_init =
        transposed ? dnnl_deconvolution_backward_weights_desc_init : dnnl_convolution_backward_weights_desc_init;
    dnnl_alg_kind_t algorithm = transposed ? (winograd ? dnnl_deconvolution_winograd : dnnl_deconvolution_direct)
                                           : (winograd ? dnnl_convolution_winograd : dnnl_convolution_direct);
    // the forward pass's own attributes: the rectifier, as a post-op of its kernel
    dnnl_primitive_attr_t forward_attr;
    dnnl_post_ops_t rectifier = NULL;
    TRY(dnnl_primitive_attr_create(&forward_attr));
    dnnl_primitive_attr_set_scratchpad_mode(forward_attr, dnnl_scratchpad_mode_user);
    if (s->rectified) {
        dnnl_post_ops_create(&rectifier);
        dnnl_post_ops_append_eltwise(rectifier, 1.0f, dnnl_eltwise_relu, s->slope, 0.0f);
        dnnl_primitive_attr_set_post_ops(forward_attr, rectifier);
        dnnl_post_ops_destroy(rectifier);
    }
    dnnl_convolution_desc_t d;
    dnnl_status_t status = forward_init(&d, dnnl_forward_training, algorithm, &src_in, &weight_in, NULL, &dst_out,
                                        strides, padding_l, padding_r);
    if (status == dnnl_success) status = dnnl_primitive_desc_create(&c->forward_pd, &d, forward_attr, genlab_engine(), NULL);
    dnnl_primitive_attr_destroy(forward_attr);
    if (status == dnnl_success)
        status = data_init(&d, algorithm, &src_out, &weight_in, &dst_in, strides, padding_l, padding_r);
    if (status == dnnl_success) status = dnnl_primitive_desc_create(&c->backward_data_pd, &d, attr, genlab_engine(), c->forward_pd);
    if (status == dnnl_success)
        status = weight_init(&d, algorithm, &src_in, &weight_out, NULL, &dst_in, strides, padding_l, padding_r);
    if (status == dnnl_success) status = dnnl_primitive_desc_create(&c->backward_weight_pd, &d, attr, genlab_engine(), c->forward_pd);
    dnnl_primitive_attr_destroy(attr);
    if (status != dnnl_success) return status;
    if (!is_direct(c->forward_pd, bf16_kernels)) c->directions &= ~GENLAB_CONVOLUTION_FORWARD;
    if (!is_direct(c->backward_data_pd, bf16_kernels)) c->directions &= ~GENLAB_CONVOLUTION_BACKWARD_DATA;
    if (!is_direct(c->backward_weight_pd, bf16_kernels)) c->directions &= ~GENLAB_CONVOLUTION_BACKWARD_WEIGHT;
    if (!c->directions) return dnnl_unimplemented;
    int forward_runs = c->directions & GENLAB_CONVOLUTION_FORWARD;
    int data_runs = c->directions & GENLAB_CONVOLUTION_BACKWARD_DATA;
    int weight_runs = c->directions & GENLAB_CONVOLUTION_BACKWARD_WEIGHT;

    const_dnnl_primitive_desc_t f = c->forward_pd, bd = c->backward_data_pd, bw = c->backward_weight_pd;
    c->share_diff_dst = data_runs && weight_runs &&
                        dnnl_memory_desc_equal(query(bd, dnnl_query_diff_dst_md), query(bw, dnnl_query_diff_dst_md));
    TRY(dnnl_stream_create(&c->stream, genlab_engine(), dnnl_stream_default_flags));
    if (forward_runs)
        TRY(port_create(&c->weight_forward, &weight_user, query(f, dnnl_query_weights_md), in, &c->caller_forward_bytes));
    if (data_runs)
        TRY(port_create(&c->weight_backward, &weight_user, query(bd, dnnl_query_weights_md), in, &c->caller_backward_bytes));
    if (c->parts == 2 && weight_runs)
        c->kept_offset = place(&c->caller_backward_bytes, dnnl_memory_desc_get_size(&weight_user));
    dnnl_dims_t scratch_dims = {1};
    dnnl_memory_desc_t scratch_md;
    TRY(dnnl_memory_desc_init_by_tag(&scratch_md, 1, scratch_dims, dnnl_u8, dnnl_a));

    for (int i = 0; i < c->parts; i++) {
        part_state *p = &c->part[i];
        size_t forward = 0, backward = 0; // the same layouts for every part
        TRY(dnnl_stream_create(&p->stream, genlab_engine(), dnnl_stream_default_flags));
        if (forward_runs) {
            TRY(dnnl_primitive_create(&p->forward, f));
            TRY(port_create(&p->src, &src_user, query(f, dnnl_query_src_md), in, &forward));
            TRY(port_create(&p->dst, &dst_user, query(f, dnnl_query_dst_md), PORT_OUT, &forward));
        }
        if (data_runs) {
            TRY(dnnl_primitive_create(&p->backward_data, bd));
            TRY(port_create(&p->diff_dst, &dst_user, query(bd, dnnl_query_diff_dst_md), in, &backward));
            TRY(port_create(&p->diff_src, &src_user, query(bd, dnnl_query_diff_src_md), PORT_OUT, &backward));
        }
        if (weight_runs) {
            TRY(dnnl_primitive_create(&p->backward_weight, bw));
            TRY(port_create(&p->weight_src, &src_user, query(bw, dnnl_query_src_md), in, &backward));
            if (!c->share_diff_dst)
                TRY(port_create(&p->weight_diff_dst, &dst_user, query(bw, dnnl_query_diff_dst_md), in, &backward));
            TRY(port_create(&p->diff_weight, &weight_user, query(bw, dnnl_query_diff_weights_md), PORT_ADD, &backward));
        }
        size_t data_scratch = data_runs ? scratch_size(bd) : 0, weight_scratch = weight_runs ? scratch_size(bw) : 0;
        c->forward_scratch = place(&forward, forward_runs ? scratch_size(f) : 0);
        c->backward_scratch = place(&backward, data_scratch > weight_scratch ? data_scratch : weight_scratch);
        c->forward_bytes = forward;
        c->backward_bytes = backward;
        TRY(dnnl_memory_create(&p->scratchpad, &scratch_md, genlab_engine(), DNNL_MEMORY_NONE));
    }
    return dnnl_success;
}

/// The bytes of blocked copies a call may make: a core's own cache (L2: 1 MiB on Zen 5, 2 MiB
/// on Xeon Sapphire Rapids). A constant, not this CPU's figure, so that the chunks, and with
/// them the order the weight gradient is summed in, are the same on every machine.
static const double chunk_bytes = 1 << 20;

/// The images a call runs on, out of a part's `images`: few enough that the blocked copies a
/// backward call makes of them (at most 2 of the input, 2 of the output) fit in
/// `chunk_bytes`, where the kernel reads them back, instead of going out to the shared cache
/// or memory and back (two sweep points on two cores share those); each chunk reads the
/// weights again, so they must be small beside it (a quarter of its images' bytes at most).
/// A divisor of `images`, at least 16 (the lab DCGAN's first layer in chunks of 8 was about
/// 2 % slower: fewer images cost more in calls than they save), else the whole part.
static long chunk_images(long images, long src_image, long dst_image, long weight_floats) {
    double image_bytes = 4.0 * 2 * (src_image + dst_image);
    long most = (long)(chunk_bytes / image_bytes);
    for (long chunk = most < images ? most : images; chunk >= 16; chunk--) {
        if (images % chunk == 0) return chunk * image_bytes / 2 >= 4.0 * 4 * weight_floats ? chunk : images;
    }
    return images;
}

static void release(genlab_convolution *c);

genlab_convolution *genlab_convolution_create(int transposed, const genlab_convolution_shape *s) {
    // Measured on AVX-512: a pass that produces images of fewer than 16 channels (a first
    // layer's data gradient, a last layer's output) is up to 7× slower on oneDNN's blocked
    // kernels than on im2col and a matrix product; the other passes of such a layer are up
    // to 2× faster.
    int thin_in = s->in_channels < 16, thin_out = s->out_channels < 16;
    if ((thin_in && thin_out) || s->batch < 1) return NULL;
    // Wide layers on a grid (a convolution's output, a transposed convolution's input) no
    // larger than the kernel, and 1×1 grids (a matrix product): oneDNN's direct kernels reach
    // 110 – 150 GFLOP/s there against 210 for im2col's large matrix products (the lab DCGAN's
    // 512→256, 5×5 → 9×9, and 128→256 onto 3×3: its step 10 – 13 % faster). Narrower layers
    // (the CIFAR DCGAN's 128→64 from 4×4) give products too thin for that: 10 % slower.
    long grid = transposed ? s->height * s->width : s->out_height * s->out_width;
    int wide = s->in_channels >= 128 && s->out_channels >= 128;
    if (grid == 1 || (wide && grid <= s->kernel * s->kernel)) return NULL;
    if (!genlab_engine()) return NULL;
    genlab_convolution *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    // Two parts when each has at least 2^24 multiply-adds: the second core then has work.
    double work = (double)s->batch * s->in_channels * s->out_channels * s->kernel * s->kernel * grid;
    c->parts = s->batch % 2 == 0 && work / 2 >= (double)(1 << 24) ? 2 : 1;
    long src_image = s->in_channels * s->height * s->width, dst_image = s->out_channels * s->out_height * s->out_width;
    c->weight_floats = s->in_channels * s->out_channels * s->kernel * s->kernel;
    c->chunk = chunk_images(s->batch / c->parts, src_image, dst_image, c->weight_floats);
    c->chunks = s->batch / c->parts / c->chunk;
    c->src_floats = c->chunk * src_image;
    c->dst_floats = c->chunk * dst_image;
    int directions = (thin_out ? 0 : GENLAB_CONVOLUTION_FORWARD) | (thin_in ? 0 : GENLAB_CONVOLUTION_BACKWARD_DATA) |
                     GENLAB_CONVOLUTION_BACKWARD_WEIGHT;
    omp_set_num_threads(1); // oneDNN sizes its work by the threads it will have
    // Winograd's F(4×4, 3×3) takes 2.25× fewer multiplications than a 3×3 window: measured on
    // AVX-512, the ResNet experiments' 64→64 layers ran 1.6 – 2.4× faster than on the
    // direct kernels. Only with 16 channels or more on each side (3→64 at 32×32 was 4×
    // slower than direct). Its results differ from the direct kernels' by rounding.
    int winograd = s->kernel == 3 && s->stride == 1 && !thin_in && !thin_out;
    for (int attempt = winograd ? 0 : 1; attempt < 2; attempt++) {
        c->directions = directions;
        if (build(c, transposed, s, attempt == 0) == dnnl_success) return c;
        release(c);
    }
    free(c);
    return NULL;
}

/// Destroys what `build` made, and forgets it (for a second build, or before freeing).
static void release(genlab_convolution *c) {
    for (int i = 0; i < 2; i++) {
        part_state *p = &c->part[i];
        port *ports[] = {&p->src, &p->dst, &p->diff_dst, &p->diff_src, &p->weight_src, &p->weight_diff_dst, &p->diff_weight};
        for (size_t j = 0; j < sizeof ports / sizeof *ports; j++) port_destroy(ports[j]);
        if (p->forward) dnnl_primitive_destroy(p->forward);
        if (p->backward_data) dnnl_primitive_destroy(p->backward_data);
        if (p->backward_weight) dnnl_primitive_destroy(p->backward_weight);
        if (p->scratchpad) dnnl_memory_destroy(p->scratchpad);
        if (p->stream) dnnl_stream_destroy(p->stream);
    }
    port_destroy(&c->weight_forward);
    port_destroy(&c->weight_backward);
    if (c->stream) dnnl_stream_destroy(c->stream);
    if (c->forward_pd) dnnl_primitive_desc_destroy(c->forward_pd);
    if (c->backward_data_pd) dnnl_primitive_desc_destroy(c->backward_data_pd);
    if (c->backward_weight_pd) dnnl_primitive_desc_destroy(c->backward_weight_pd);
    memset(c->part, 0, sizeof c->part);
    memset(&c->weight_forward, 0, sizeof c->weight_forward);
    memset(&c->weight_backward, 0, sizeof c->weight_backward);
    c->stream = NULL;
    c->forward_pd = c->backward_data_pd = c->backward_weight_pd = NULL;
    c->share_diff_dst = 0;
    c->forward_bytes = c->backward_bytes = c->forward_scratch = c->backward_scratch = 0;
    c->caller_forward_bytes = c->caller_backward_bytes = c->kept_offset = 0;
}

void genlab_convolution_destroy(genlab_convolution *c) {
    if (!c) return;
    release(c);
    free(c);
}

static char library[256];
static pthread_once_t library_once = PTHREAD_ONCE_INIT;
static void library_describe(void) {
    const dnnl_version_t *v = dnnl_version();
    // 16 → 16 channels on 8×8: through a 4×4 window of stride 2 (direct kernels), through a
    // 3×3 one of stride 1 (Winograd's where oneDNN has them), and the first in bfloat16
    genlab_convolution_shape probes[3] = {{1, 16, 16, 8, 8, 4, 4, 4, 2, 1, 0, 0.0f, 0},
                                          {1, 16, 16, 8, 8, 8, 8, 3, 1, 1, 0, 0.0f, 0},
                                          {1, 16, 16, 8, 8, 4, 4, 4, 2, 1, 0, 0.0f, 1}};
    genlab_convolution *direct = genlab_convolution_create(0, &probes[0]);
    genlab_convolution *three = genlab_convolution_create(0, &probes[1]);
    genlab_convolution *bf16 = genlab_convolution_create(0, &probes[2]);
    if (!direct) {
        snprintf(library, sizeof library, "oneDNN %d.%d.%d, no direct kernels on this CPU (im2col throughout)", v->major,
                 v->minor, v->patch);
    } else {
        snprintf(library, sizeof library, "oneDNN %d.%d.%d, %s kernels (3×3 stride 1: %s; bfloat16: %s)", v->major, v->minor,
                 v->patch, genlab_convolution_implementation(direct),
                 three ? genlab_convolution_implementation(three) : "im2col",
                 bf16 ? genlab_convolution_implementation(bf16) : "none");
    }
    genlab_convolution_destroy(direct);
    genlab_convolution_destroy(three);
    genlab_convolution_destroy(bf16);
}

const char *genlab_convolution_library(void) {
    pthread_once(&library_once, library_describe);
    return library;
}

int genlab_convolution_parts(const genlab_convolution *c) { return c->parts; }

long genlab_convolution_chunk(const genlab_convolution *c) { return c->chunk; }

int genlab_convolution_directions(const genlab_convolution *c) { return c->directions; }

const char *genlab_convolution_implementation(const genlab_convolution *c) {
    const char *name = "";
    dnnl_primitive_desc_query(c->forward_pd, dnnl_query_impl_info_str, 0, &name);
    return name;
}

int genlab_convolution_set_weight(genlab_convolution *c, const float *weight, int backward) {
    char *arena = arena_borrow(ARENA_CALLER, backward ? c->caller_backward_bytes : c->caller_forward_bytes);
    if (!arena) return (dnnl_status_t)GENLAB_CONVOLUTION_OUT_OF_MEMORY;
    omp_set_num_threads(1);
    port *w = backward ? &c->weight_backward : &c->weight_forward;
    c->kept = (float *)(arena + c->kept_offset);
    if (!w->user) return dnnl_success; // the pass reading these weights runs on im2col
    TRY(port_bind(w, arena));
    return port_move(w, c->stream, weight, 0);
}

/// `primitive` (a forward pass or a data gradient) from the port `in`, already moved in, and
/// `weights`, to the port `out`, moved out to `into`.
static dnnl_status_t run_through(const part_state *p, dnnl_primitive_t primitive, const port *in, int in_arg,
                                 dnnl_memory_t weights, port *out, int out_arg, float *into) {
    dnnl_exec_arg_t args[4] = {{in_arg, port_memory(in)}, {DNNL_ARG_WEIGHTS, weights}, {out_arg, port_memory(out)}};
    if (!out->inner) TRY(dnnl_memory_set_data_handle(out->user, into));
    TRY(run(primitive, p, 3, args));
    return port_move(out, p->stream, into, 1);
}

static dnnl_status_t forward(genlab_convolution *c, int part, const float *input, float *output, char *arena) {
    part_state *p = &c->part[part];
    TRY(port_bind(&p->src, arena));
    TRY(port_bind(&p->dst, arena));
    TRY(dnnl_memory_set_data_handle(p->scratchpad, arena + c->forward_scratch));
    for (long piece = part * c->chunks; piece < (part + 1) * c->chunks; piece++) {
        TRY(port_move(&p->src, p->stream, input + piece * c->src_floats, 0));
        TRY(run_through(p, p->forward, &p->src, DNNL_ARG_SRC, port_memory(&c->weight_forward), &p->dst, DNNL_ARG_DST,
                        output + piece * c->dst_floats));
    }
    return dnnl_success;
}

int genlab_convolution_forward(genlab_convolution *c, int part, const float *input, float *output) {
    if (!(c->directions & GENLAB_CONVOLUTION_FORWARD)) return dnnl_invalid_arguments;
    char *arena = arena_borrow(ARENA_PART, c->forward_bytes);
    if (!arena) return (dnnl_status_t)GENLAB_CONVOLUTION_OUT_OF_MEMORY;
    omp_set_num_threads(1);
    dnnl_status_t status = forward(c, part, input, output, arena);
    arena_trim(ARENA_PART);
    return status;
}

/// The backward pass of one chunk (`piece` of the batch's).
static dnnl_status_t backward_chunk(genlab_convolution *c, part_state *p, long piece, const float *input,
                                    const float *grad_output, float *grad_input, float *grad_weight) {
    const float *grad = grad_output + piece * c->dst_floats;
    if (grad_input || (grad_weight && c->share_diff_dst)) TRY(port_move(&p->diff_dst, p->stream, grad, 0));
    if (grad_input)
        TRY(run_through(p, p->backward_data, &p->diff_dst, DNNL_ARG_DIFF_DST, port_memory(&c->weight_backward), &p->diff_src,
                        DNNL_ARG_DIFF_SRC, grad_input + piece * c->src_floats));
    if (!grad_weight) return dnnl_success;
    TRY(port_move(&p->weight_src, p->stream, input + piece * c->src_floats, 0));
    dnnl_memory_t src = port_memory(&p->weight_src), diff_dst;
    if (c->share_diff_dst) {
        diff_dst = port_memory(&p->diff_dst);
    } else {
        TRY(port_move(&p->weight_diff_dst, p->stream, grad, 0));
        diff_dst = port_memory(&p->weight_diff_dst);
    }
    dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, diff_dst},
                               {DNNL_ARG_DIFF_WEIGHTS, port_memory(&p->diff_weight)}};
    TRY(run(p->backward_weight, p, 3, args));
    return port_move(&p->diff_weight, p->stream, grad_weight, 1);
}

static dnnl_status_t backward(genlab_convolution *c, int part, const float *input, const float *grad_output,
                              float *grad_input, float *grad_weight, char *arena) {
    part_state *p = &c->part[part];
    port *borrowed[] = {&p->diff_dst, &p->diff_src, &p->weight_src, &p->weight_diff_dst, &p->diff_weight};
    // (ports never created have no inner buffer to bind)
    for (size_t i = 0; i < sizeof borrowed / sizeof *borrowed; i++) TRY(port_bind(borrowed[i], arena));
    TRY(dnnl_memory_set_data_handle(p->scratchpad, arena + c->backward_scratch));
    // part 0 adds its chunks' weight gradients to the caller's at once; part 1 adds them up
    // in the caller's arena, for finish
    if (grad_weight && part == 1) {
        memset(c->kept, 0, sizeof(float) * c->weight_floats);
        grad_weight = c->kept;
    }
    for (long piece = part * c->chunks; piece < (part + 1) * c->chunks; piece++)
        TRY(backward_chunk(c, p, piece, input, grad_output, grad_input, grad_weight));
    return dnnl_success;
}

int genlab_convolution_backward(genlab_convolution *c, int part, const float *input, const float *grad_output,
                                float *grad_input, float *grad_weight) {
    if ((grad_input && !(c->directions & GENLAB_CONVOLUTION_BACKWARD_DATA)) ||
        (grad_weight && !(c->directions & GENLAB_CONVOLUTION_BACKWARD_WEIGHT)))
        return dnnl_invalid_arguments;
    char *arena = arena_borrow(ARENA_PART, c->backward_bytes);
    if (!arena) return (dnnl_status_t)GENLAB_CONVOLUTION_OUT_OF_MEMORY;
    omp_set_num_threads(1);
    dnnl_status_t status = backward(c, part, input, grad_output, grad_input, grad_weight, arena);
    arena_trim(ARENA_PART);
    return status;
}

int genlab_convolution_finish_weight_gradient(genlab_convolution *c, float *grad_weight) {
    if (c->parts < 2) return dnnl_success;
    for (long i = 0; i < c->weight_floats; i++) grad_weight[i] += c->kept[i];
    return dnnl_success;
}
