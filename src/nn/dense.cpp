// Dense forward/backward through the BLAS wrapper, transposes as flags, no copies.
#include "nn/dense.h"

#include "kernels/blas.h"

namespace mnisttrain::nn {

using blas::Trans;

void dense_forward(float* out, const float* inp, const float* weight, const float* bias,
                   std::size_t B, std::size_t C, std::size_t OC) {
  // Seed every row with the bias and let sgemm accumulate onto it (beta = 1): the bias add
  // costs no extra pass over the output.
  if (bias) {
    for (std::size_t r = 0; r < B; ++r) {
      for (std::size_t o = 0; o < OC; ++o) out[r * OC + o] = bias[o];
    }
  }
  blas::sgemm(Trans::No, Trans::No, static_cast<int>(B), static_cast<int>(OC),
              static_cast<int>(C), 1.0f, inp, weight, bias ? 1.0f : 0.0f, out);
}

void dense_backward(float* dinp, float* dweight, float* dbias, const float* dout,
                    const float* inp, const float* weight, std::size_t B, std::size_t C,
                    std::size_t OC) {
  // dW (C, OC) = X^T (C, B) . dZ (B, OC)
  blas::sgemm(Trans::Yes, Trans::No, static_cast<int>(C), static_cast<int>(OC),
              static_cast<int>(B), 1.0f, inp, dout, 0.0f, dweight);
  if (dbias) {
    for (std::size_t o = 0; o < OC; ++o) dbias[o] = 0.0f;
    for (std::size_t r = 0; r < B; ++r) {
      for (std::size_t o = 0; o < OC; ++o) dbias[o] += dout[r * OC + o];
    }
  }
  // dX (B, C) = dZ (B, OC) . W^T (OC, C)
  if (dinp) {
    blas::sgemm(Trans::No, Trans::Yes, static_cast<int>(B), static_cast<int>(C),
                static_cast<int>(OC), 1.0f, dout, weight, 0.0f, dinp);
  }
}

void dense_forward_reference(double* out, const double* inp, const double* weight,
                             const double* bias, std::size_t B, std::size_t C, std::size_t OC) {
  for (std::size_t r = 0; r < B; ++r) {
    for (std::size_t o = 0; o < OC; ++o) {
      double z = bias ? bias[o] : 0.0;
      for (std::size_t k = 0; k < C; ++k) z += inp[r * C + k] * weight[k * OC + o];
      out[r * OC + o] = z;
    }
  }
}

void l2_backward(float* dweight, const float* weight, double l2, std::size_t C, std::size_t OC) {
  const float scale = static_cast<float>(2.0 * l2);
  for (std::size_t k = 0; k < C * OC; ++k) dweight[k] += scale * weight[k];
}

}  // namespace mnisttrain::nn
