// The first dense layer on sparse inputs. 81% of MNIST's pixels are exactly zero, and a zero
// pixel contributes exactly nothing to X . W (nor to X^T . dZ), so both products only need the
// kernel rows of the non-zero pixels. Same math as the dense product; only the order of the
// additions changes (the sums run over the non-zero pixels in increasing index order, the
// forward's in two fixed parts added at the end: see kForwardParts).
#pragma once

#include "kernels/partition.h"
#include "kernels/shared_items.h"
#include "kernels/update.h"
#include "kernels/vec.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mnisttrain::kernels {

// The forward adds every pair's entries for one block of samples before the next block: a
// block's rows of a panel (64 samples x 128 units with AVX-512, 32 KB) stay in the L1 cache
// meanwhile, where a whole panel of 128 samples (64 KB) did not fit. Each sample still takes
// its pairs in increasing order. A block is also one 64-bit mask of a column's lit samples.
constexpr std::size_t kSampleBlock = 64;

// A batch X (B, C) stored by pixel: each column's values for every sample, and a bit mask of
// the samples where it is non-zero, per block of kSampleBlock samples. Both products walk a
// column's set bits (in increasing sample order) and skip the blocks where a pixel is blank:
// a batch from 8-bit images is only transposed, never turned into lists of entries, and a
// value is read where it is used (kPixelValues[byte]). The forward walks pixels in pairs
// (2q, 2q + 1): the samples where either is non-zero, with both values (one may be 0, which
// adds exactly 0), so each sample's output row is read and written once for two
// multiply-adds. Rebuilt per batch into buffers sized once, with the products' scratch panels.
struct SparseBatch {
  std::size_t rows = 0, cols = 0;
  std::size_t stride = 0;  // samples per column: rows rounded up to whole blocks, the rest zero
  // By column, (C [+1 with the ones column], stride): the bytes when compressed from images, or
  // the floats when built from floats (from_floats).
  std::vector<std::uint8_t> column_bytes;
  std::vector<float> column_floats;
  bool from_floats = false;
  // (C [+1], sample_blocks()): bit i of lit[p * sample_blocks() + s] is set when sample
  // s * kSampleBlock + i has column p non-zero (a NaN counts as non-zero, -0.0 as zero).
  std::vector<std::uint64_t> lit;
  // The products' scratch: per forward part, one (B, kPanelUnits) panel per block of
  // kPanelUnits output units. In the forward each block of samples of a panel is written only
  // by the thread that took that item; the weight gradient's dZ is packed into part 0's by
  // rows, and read after a barrier. Scratch, not state: hence mutable.
  mutable std::vector<float> panels;
  std::size_t panel_set_floats = 0;  // one forward part's panels: all blocks for the reserved rows

  std::size_t width = 0;  // pixels per image row (0: the input is flat)

  // With a ones column, column C follows the pixels, 1 in every sample: the input that the
  // bias multiplies. The forward never reads it (the bias seeds the panels); the weight
  // gradient's row C is then the bias gradient, the sum of dZ's rows in increasing sample
  // order, made (and updated through a sink) like any kernel row.
  bool ones_column = false;

  // The work items of the pass that runs on this batch, taken by its threads (reset before
  // each pass: nn/network.h's run_pass). Scratch, like the panels.
  mutable TwoEndedItems items;

  // For batches of up to max_rows samples, C = cols pixels in rows of `width` (0: flat),
  // products with up to max_units units, and with or without the ones column.
  void reserve(std::size_t max_rows, std::size_t cols, std::size_t max_units, std::size_t width = 0,
               bool ones = false);

  // From B rows of C 8-bit pixels (the value of byte v is kPixelValues[v] = v / 255), in
  // steps so that threads share the work: start() once, then transpose_columns() for every
  // share of the pixels (shares starting at multiples of kPixelBand). B <= the reserved rows.
  void start(std::size_t B, std::size_t C);
  void transpose_columns(const std::uint8_t* const* images, Range pixels);
  // Both steps on the calling thread.
  void build(const std::uint8_t* const* images, std::size_t B, std::size_t C);
  // The plain build, also for batches that are floats from the start: from x (B, C)
  // row-major, on the calling thread.
  void build(const float* x, std::size_t B, std::size_t C);

  std::size_t sample_blocks() const { return stride / kSampleBlock; }
  std::uint64_t lit_samples(std::size_t p, std::size_t s) const { return lit[p * sample_blocks() + s]; }
  // x[b, p], as the products read it.
  float value(std::size_t b, std::size_t p) const;
  // Non-zero pixels in the batch (the ones column not counted).
  std::size_t nonzeros() const;
  // Rows of the weight gradient: C, and one more for the ones column.
  std::size_t gradient_rows() const { return cols + (ones_column ? 1 : 0); }
};

// Pixels transposed together when a batch is stored from its bytes: the finest share of that
// work.
constexpr std::size_t kPixelBand = 16;

// Output units per panel, as vectors: the forward holds two kernel rows of a block in
// registers (2 x 8 of AVX-512's 32; 2 x 4 of AVX2's 16). A block's panel of 128 samples (64 KB
// with AVX-512) stays close to the core.
#if defined(__AVX512F__)
constexpr std::size_t kPanelUnits = 8 * kLanes;
#else
constexpr std::size_t kPanelUnits = 4 * kLanes;
#endif

// The forward sum runs over two fixed parts of the pixels, [0, mid) and [mid, C), added at the
// end: out = (bias + sum over part 0) + sum over part 1. Two threads then each own the kernel
// rows of one part in the forward as in the weight gradient and its update (split by pixels
// at the same place), so each core keeps to its own rows of W and of the optimizer's moments.
// The parts do not depend on the thread count, and so neither do the bits. mid is the image's
// centre pixel (row rows / 2, column width / 2, rounded down to even; C / 2 for flat inputs):
// MNIST centres each digit's mass in the image, so the parts hold the same share of the lit
// pixels (50.0% of the pair entries on the training set; 46.9% when cut at pixel 384) and two
// threads take as long on each.
constexpr int kForwardParts = 2;
Range forward_part(const SparseBatch& x, int part);

// Part `part` of out[b, j] = bias[j] + sum over non-zero x[b, p] of x[b, p] * weight[p, j], for
// the samples of block `sample_block` (kSampleBlock) and the columns in `units`, into the
// batch's panels (part 0 with the bias) for add_forward_parts. weight is (C, OC), bias (OC) or
// null; OC <= the reserved max_units; `units` starts at a multiple of kLanes (kernels/vec.h)
// and ends at one or at OC (its last vector is read and written whole inside the panel).
void sparse_dense_forward_part(const SparseBatch& x, const float* weight, const float* bias,
                               std::size_t OC, int part, Range units, std::size_t sample_block);
// out[b, j] = part 0 + part 1, for the rows in `samples` (B, OC): once both parts of every unit
// are done.
void add_forward_parts(float* out, const SparseBatch& x, std::size_t OC, Range samples);
// Both parts and their sum on the calling thread.
void sparse_dense_forward(float* out, const SparseBatch& x, const float* weight, const float* bias,
                          std::size_t OC);

// Takes each finished block of a weight gradient row, dweight[offset, offset + count) of the
// (x.gradient_rows(), OC) matrix, in place of storing it: the optimizer can update those weights while their
// gradient is in L1, and the gradient matrix is never written out and read back.
//
// With `rmsprop` set (plain RMSprop, offsets as for take), the kernel applies that rule itself
// to the vectors of each finished block of a whole panel's width, one vector every
// kEntriesPerUpdate entries of the next row's sum: the square root and the division of each
// vector (RMSprop's cost) then run beside the multiply-adds instead of after them. take()
// still gets any narrower block.
struct GradientSink {
  void (*take)(void* context, std::size_t offset, const float* gradient, std::size_t count);
  void* context;
  const RmspropVectors* rmsprop = nullptr;
};
constexpr std::size_t kEntriesPerUpdate = 4;

// The weight gradient goes this many pixels' whole rows at a time (see
// sparse_dense_backward_weight), which is also the finest share threads can take of it.
constexpr std::size_t kGradientRows = 16;

// Copies rows `samples` of dout (B, OC) into the batch's panels, where the weight gradient
// reads it; threads copy their own rows, and all of dout must be in before that product runs.
void pack_gradient_panels(const SparseBatch& x, const float* dout, std::size_t OC, Range samples);

// dweight[p, j] = sum over samples b with x[b, p] != 0 of x[b, p] * dout[b, j], for the rows
// (pixels) in `pixels` and every column j < OC, dout read from the panels; rows of pixels that
// are zero in the whole batch become exactly zero. dweight is (x.gradient_rows(), OC): with the
// ones column, row C is the bias gradient (so a bias stored right after the kernel rows gets
// it in place). OC <= the reserved max_units. With a sink, the rows go to it instead of dweight
// (which may then be null).
// Threads split this by pixels: each writes its own contiguous rows of dweight (or of the
// weights the sink updates), so no two cores write to the same stretch of memory.
void sparse_dense_backward_weight(float* dweight, const SparseBatch& x, std::size_t OC,
                                  Range pixels, const GradientSink* sink = nullptr);

// Plain dense references with the same contracts over a dense x (B, C), summing in the same
// order (over all pixels, zeros included, in double): what the fast kernels are tested against.
void dense_forward_reference(float* out, const float* x, const float* weight, const float* bias,
                             std::size_t B, std::size_t C, std::size_t OC);
void dense_backward_weight_reference(float* dweight, const float* x, const float* dout,
                                     std::size_t B, std::size_t C, std::size_t OC);

// Fraction of non-zero values among n bytes: decides between the sparse and the dense path.
double density(const std::uint8_t* values, std::size_t n);

}  // namespace mnisttrain::kernels
