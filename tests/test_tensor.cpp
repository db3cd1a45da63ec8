// Tensor against numpy: expected values and error messages were produced by
// scripts/gen_tensor_expectations.py (numpy 1.24) and are pinned here as literals.
#include "tensor/tensor.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "error.h"

using Catch::Matchers::Message;
using mnisttrain::Error;
using mnisttrain::Shape;
using mnisttrain::Tensor;

namespace {

long count(const Shape& shape) {
  long n = 1;
  for (long d : shape) n *= d;
  return n;
}

// start + i*step in row-major order, as the generator's arange().
Tensor arange(const Shape& shape, float start = 0.0f, float step = 1.0f) {
  std::vector<float> v(static_cast<size_t>(count(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = start + step * static_cast<float>(i);
  return Tensor(shape, v);
}

// ((i*7) % 11) - 5: repeats and negatives, as the generator's pattern().
Tensor pattern(const Shape& shape) {
  std::vector<float> v(static_cast<size_t>(count(shape)));
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = static_cast<float>(static_cast<long>(i * 7 % 11) - 5);
  return Tensor(shape, v);
}

void check_tensor(const Tensor& t, const Shape& shape, const std::vector<float>& values) {
  CHECK(t.shape() == shape);
  CHECK_THAT(t.values(), Catch::Matchers::Approx(values).margin(1e-6f));
}

}  // namespace

TEST_CASE("tensor construction, element access and shape strings", "[tensor]") {
  const Tensor z({2, 3});
  CHECK(z.ndim() == 2);
  CHECK(z.size() == 6);
  CHECK(z.shape(-1) == 3);
  CHECK(z.values() == std::vector<float>(6, 0.0f));

  Tensor t({2, 3}, {1, 2, 3, 4, 5, 6});
  CHECK(t.at({1, 0}) == 4.0f);
  CHECK(t.at({-1, -1}) == 6.0f);
  t.at({0, 2}) = 9.0f;
  CHECK(t[2] == 9.0f);
  CHECK(t.data()[5] == 6.0f);
  CHECK_THROWS_MATCHES(t.at({0, 5}), Error,
                       Message("index 5 is out of bounds for axis 1 with size 3"));
  CHECK_THROWS_AS(Tensor({2, 3}, {1, 2, 3}), Error);
  CHECK_THROWS_MATCHES(Tensor({-1, 2}), Error, Message("negative dimensions are not allowed"));

  CHECK(Tensor({5, 3}).to_string() == "(5,3)");
  CHECK(Tensor({5}).to_string() == "(5,)");
  CHECK(Tensor::scalar(2.0f).to_string() == "()");
  CHECK(Tensor::scalar(2.0f).item() == 2.0f);
  CHECK(Tensor().size() == 0);
  CHECK_THROWS_AS(t.item(), Error);
}

TEST_CASE("reshape infers -1 and fails in numpy's words", "[tensor]") {
  const Tensor a = arange({12});
  check_tensor(a.reshape({2, -1, 3}), {2, 2, 3}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  CHECK(a.reshape({-1, 4}).shape() == Shape{3, 4});
  CHECK(a.reshape({-1}).shape() == Shape{12});
  CHECK_THROWS_MATCHES(a.reshape({5, 3}), Error,
                       Message("cannot reshape array of size 12 into shape (5,3)"));
  CHECK_THROWS_MATCHES(a.reshape({5, -1}), Error,
                       Message("cannot reshape array of size 12 into shape (5,newaxis)"));
  CHECK_THROWS_MATCHES(a.reshape({-1, -1}), Error,
                       Message("can only specify one unknown dimension"));
}

TEST_CASE("transpose reverses 2-D axes and permutes by axes", "[tensor]") {
  check_tensor(arange({2, 3}).transpose(), {3, 2}, {0, 3, 1, 4, 2, 5});

  const Tensor a = arange({2, 3, 4});
  check_tensor(a.transpose({1, 2, 0}), {3, 4, 2}, {0, 12, 1, 13, 2, 14, 3, 15, 4,  16, 5,  17,
                                                   6, 18, 7, 19, 8, 20, 9, 21, 10, 22, 11, 23});
  check_tensor(a.transpose({-1, 0, 1}), {4, 2, 3}, {0, 4, 8,  12, 16, 20, 1, 5, 9,  13, 17, 21,
                                                    2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23});

  CHECK_THROWS_MATCHES(arange({2, 3}).transpose({0}), Error, Message("axes don't match array"));
  CHECK_THROWS_MATCHES(arange({2, 3}).transpose({1, 1}), Error,
                       Message("repeated axis in transpose"));
  CHECK_THROWS_MATCHES(arange({2, 3}).transpose({0, 2}), Error,
                       Message("axis 2 is out of bounds for array of dimension 2"));
}

TEST_CASE("broadcasting (3,1) with (1,4)", "[tensor]") {
  const Tensor a = arange({3, 1});
  const Tensor b = arange({1, 4}, 0, 10);
  check_tensor(a + b, {3, 4}, {0, 10, 20, 30, 1, 11, 21, 31, 2, 12, 22, 32});
  check_tensor(a - b, {3, 4}, {0, -10, -20, -30, 1, -9, -19, -29, 2, -8, -18, -28});
}

TEST_CASE("broadcasting (2,3) with (3,)", "[tensor]") {
  const Tensor a = arange({2, 3});
  const Tensor b = arange({3}, 10, 10);
  check_tensor(a + b, {2, 3}, {10, 21, 32, 13, 24, 35});
  check_tensor(a * b, {2, 3}, {0, 20, 60, 30, 80, 150});
}

TEST_CASE("broadcasting scalar-like shapes", "[tensor]") {
  check_tensor(arange({2, 3}) * Tensor::scalar(2.5f), {2, 3}, {0, 2.5f, 5, 7.5f, 10, 12.5f});
  check_tensor(arange({2, 3}) * 2.5f, {2, 3}, {0, 2.5f, 5, 7.5f, 10, 12.5f});
  check_tensor(arange({2, 3}, 1) / Tensor({1, 1}, {3}), {2, 3},
               {0.33333334f, 0.6666667f, 1, 1.3333334f, 1.6666666f, 2});
  check_tensor(1.0f - arange({2, 3}), {2, 3}, {1, 0, -1, -2, -3, -4});
  check_tensor(Tensor::scalar(1.5f) + Tensor::scalar(2.25f), {}, {3.75f});
  // Both operands stretch: (4,1,3) / (2,1) -> (4,2,3).
  check_tensor(arange({4, 1, 3}, 1) / arange({2, 1}, 2), {4, 2, 3},
               {0.5f, 1, 1.5f, 0.33333334f, 0.6666667f, 1, 2, 2.5f, 3, 1.3333334f, 1.6666666f, 2,
                3.5f, 4, 4.5f, 2.3333333f,  2.6666667f, 3, 5, 5.5f, 6, 3.3333333f, 3.6666667f, 4});
}

TEST_CASE("incompatible shapes fail to broadcast in numpy's words", "[tensor]") {
  // numpy appends a trailing space to this message; ours ends at the last shape.
  CHECK_THROWS_MATCHES(Tensor({4, 5}) + Tensor({5, 4}), Error,
                       Message("operands could not be broadcast together with shapes (4,5) (5,4)"));
  CHECK_THROWS_MATCHES(Tensor({2, 3}) * Tensor({2}), Error,
                       Message("operands could not be broadcast together with shapes (2,3) (2,)"));
}

TEST_CASE("dot in all four rank combinations", "[tensor]") {
  const Tensor vv = mnisttrain::dot(arange({3}, 1), arange({3}, 4));
  check_tensor(vv, {}, {32});
  CHECK(vv.item() == 32.0f);
  check_tensor(mnisttrain::dot(arange({2, 3}), arange({3}, 1)), {2}, {8, 26});
  check_tensor(mnisttrain::dot(arange({3}, 1), arange({3, 2}, -2)), {2}, {4, 10});
  check_tensor(mnisttrain::dot(arange({2, 3}, 1, 0.5f), arange({3, 4}, -3)), {2, 4},
               {8.5f, 13, 17.5f, 22, 13, 22, 31, 40});
}

TEST_CASE("dot reports misaligned shapes in numpy's words", "[tensor]") {
  CHECK_THROWS_MATCHES(mnisttrain::dot(Tensor({2, 3}), Tensor({2, 3})), Error,
                       Message("shapes (2,3) and (2,3) not aligned: 3 (dim 1) != 2 (dim 0)"));
  CHECK_THROWS_MATCHES(mnisttrain::dot(Tensor({3}), Tensor({4})), Error,
                       Message("shapes (3,) and (4,) not aligned: 3 (dim 0) != 4 (dim 0)"));
  CHECK_THROWS_MATCHES(mnisttrain::dot(Tensor({2, 3}), Tensor({4})), Error,
                       Message("shapes (2,3) and (4,) not aligned: 3 (dim 1) != 4 (dim 0)"));
}

TEST_CASE("2-D dot through BLAS matches a naive loop on random data", "[tensor]") {
  const long M = 61, K = 97, N = 43;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  Tensor a({M, K}), b({K, N});
  for (long i = 0; i < a.size(); ++i) a[i] = dist(rng);
  for (long i = 0; i < b.size(); ++i) b[i] = dist(rng);

  std::vector<float> naive(static_cast<size_t>(M * N));
  for (long i = 0; i < M; ++i) {
    for (long j = 0; j < N; ++j) {
      double acc = 0.0;
      for (long k = 0; k < K; ++k) acc += static_cast<double>(a.at({i, k})) * b.at({k, j});
      naive[static_cast<size_t>(i * N + j)] = static_cast<float>(acc);
    }
  }
  const Tensor c = mnisttrain::dot(a, b);
  CHECK(c.shape() == Shape{M, N});
  CHECK_THAT(c.values(), Catch::Matchers::Approx(naive).margin(1e-4f));
}

TEST_CASE("matmul multiplies a 3-D stack by a matrix", "[tensor]") {
  const Tensor a = arange({4, 2, 3}, -6, 0.5f);
  const Tensor b = pattern({3, 5});
  const Tensor c = mnisttrain::matmul(a, b);
  check_tensor(c, {4, 2, 5},
               {51.5f,  -9, 2,      2, -47.5f, 38, -7.5f, 2,   0.5f, -34, 24.5f, -6,  2,     -1,
                -20.5f, 11, -4.5f,  2, -2.5f,  -7, -2.5f, -3,  2,    -4,  6.5f,  -16, -1.5f, 2,
                -5.5f,  20, -29.5f, 0, 2,      -7, 33.5f, -43, 1.5f, 2,   -8.5f, 47});
  check_tensor(mnisttrain::matmul(arange({2, 2, 3}), arange({3}, 1)), {2, 2}, {8, 26, 44, 62});
  CHECK_THROWS_MATCHES(
      mnisttrain::matmul(Tensor({4, 2, 3}), Tensor({4, 5})), Error,
      Message("matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc "
              "signature (n?,k),(k,m?)->(n?,m?) (size 4 is different from 3)"));
}

TEST_CASE("sum over an axis: the notes' example", "[tensor]") {
  const Tensor x({2, 2, 2}, {1, 2, 3, 4, 11, 12, 13, 14});
  check_tensor(mnisttrain::sum(x, 1), {2, 2}, {4, 6, 24, 26});
}

TEST_CASE("sum and mean with keepdims and negative axes", "[tensor]") {
  const Tensor p = pattern({2, 3, 4});
  check_tensor(mnisttrain::sum(p, -1, true), {2, 3, 1}, {0, 2, -7, 6, -3, -1});
  check_tensor(mnisttrain::sum(p, 0), {3, 4}, {-3, 0, 3, 6, -2, 1, 4, -4, -1, 2, -6, -3});
  check_tensor(mnisttrain::mean(p, 1), {2, 4},
               {-2.6666667f, 0.6666667f, 0.33333334f, 0, 0.6666667f, 0.33333334f, 0, -0.33333334f});
  check_tensor(mnisttrain::mean(p, -3, true), {1, 3, 4},
               {-1.5f, 0, 1.5f, 3, -1, 0.5f, 2, -2, -0.5f, 1, -3, -1.5f});
  CHECK_THROWS_MATCHES(mnisttrain::sum(p, 3), Error,
                       Message("axis 3 is out of bounds for array of dimension 3"));
  CHECK_THROWS_MATCHES(mnisttrain::mean(p, -4), Error,
                       Message("axis -4 is out of bounds for array of dimension 3"));
}

TEST_CASE("max and argmax over an axis", "[tensor]") {
  const Tensor p = pattern({2, 3, 4});
  check_tensor(mnisttrain::max(p, -2, true), {2, 1, 4}, {1, 3, 4, 5, 3, 4, 5, 2});
  check_tensor(mnisttrain::max(p, 2), {2, 3}, {5, 4, 3, 5, 4, 3});
  check_tensor(mnisttrain::argmax(p, 1), {2, 4}, {1, 2, 1, 0, 2, 1, 0, 2});
  check_tensor(mnisttrain::argmax(p, -1, true), {2, 3, 1}, {3, 2, 1, 2, 1, 0});
  check_tensor(mnisttrain::argmax(p, 0), {3, 4}, {1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1});

  // Ties go to the first occurrence.
  const Tensor t({2, 3}, {3, 1, 3, 0, 7, 7});
  check_tensor(mnisttrain::argmax(t, 1), {2}, {0, 1});
  check_tensor(mnisttrain::argmax(t, 0), {3}, {0, 1, 1});
  CHECK_THROWS_MATCHES(mnisttrain::argmax(Tensor({2, 0}), 1), Error,
                       Message("attempt to get argmax of an empty sequence"));
}

TEST_CASE("whole-tensor reductions", "[tensor]") {
  const Tensor p = pattern({2, 3, 4});
  CHECK(mnisttrain::sum(p) == -3.0f);
  CHECK(mnisttrain::mean(p) == -0.125f);
  CHECK(mnisttrain::max(p) == 5.0f);
  CHECK(mnisttrain::argmax(p) == 3);  // 5 also sits at flat index 14

  const Tensor n({4}, {1, NAN, 3, NAN});
  CHECK(std::isnan(mnisttrain::max(n)));
  CHECK(mnisttrain::argmax(n) == 1);
  CHECK_THROWS_MATCHES(
      mnisttrain::max(Tensor({0})), Error,
      Message("zero-size array to reduction operation maximum which has no identity"));
}
