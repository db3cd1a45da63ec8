// Dense float32 row-major tensor of any rank, with numpy's shape, broadcasting and error rules.
#pragma once

#include <string>
#include <vector>

namespace mnisttrain {

using Shape = std::vector<long>;

// numpy's spelling: "(5,3)", "(5,)", "()".
std::string shape_to_string(const Shape& shape);
// Maps a possibly negative axis into [0, ndim), or throws Error in numpy's words.
int normalize_axis(int axis, int ndim);

class Tensor {
 public:
  // An empty 1-D tensor of shape (0,), so members can be declared before they are sized.
  Tensor();
  // Zeros.
  explicit Tensor(Shape shape);
  Tensor(Shape shape, std::vector<float> values);
  // 0-d tensor, shape ().
  static Tensor scalar(float value);

  int ndim() const { return static_cast<int>(shape_.size()); }
  const Shape& shape() const { return shape_; }
  // Extent of one axis; negative axes count from the end.
  long shape(int axis) const;
  long size() const { return static_cast<long>(values_.size()); }
  float* data() { return values_.data(); }
  const float* data() const { return values_.data(); }
  const std::vector<float>& values() const { return values_; }

  // Flat row-major index, unchecked: the hot-loop accessor.
  float& operator[](long i) { return values_[static_cast<size_t>(i)]; }
  float operator[](long i) const { return values_[static_cast<size_t>(i)]; }
  // One index per axis, bounds-checked.
  float& at(const std::vector<long>& index);
  float at(const std::vector<long>& index) const;
  // The single value of a size-1 tensor (e.g. the 0-d result of a 1-D dot).
  float item() const;

  std::string to_string() const { return shape_to_string(shape_); }

  // Copies; one dimension may be -1 and is inferred.
  Tensor reshape(Shape shape) const;
  // Reverses the axes, which for 2-D is the matrix transpose.
  Tensor transpose() const;
  // Output axis i is input axis axes[i]; negative entries count from the end.
  Tensor transpose(const std::vector<int>& axes) const;

 private:
  long flat_index(const std::vector<long>& index) const;

  Shape shape_;
  std::vector<float> values_;
};

// Element-wise with numpy broadcasting.
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, float b);
Tensor operator-(const Tensor& a, float b);
Tensor operator*(const Tensor& a, float b);
Tensor operator/(const Tensor& a, float b);
Tensor operator+(float a, const Tensor& b);
Tensor operator-(float a, const Tensor& b);
Tensor operator*(float a, const Tensor& b);
Tensor operator/(float a, const Tensor& b);
// The shape a and b broadcast to, or Error in numpy's words.
Shape broadcast_shapes(const Shape& a, const Shape& b);

// numpy.dot for ranks 0, 1 and 2; 1-D . 1-D gives a 0-d tensor.
Tensor dot(const Tensor& a, const Tensor& b);
// numpy.matmul where b is a matrix or vector and a is a vector, matrix or stack of matrices:
// (4,2,3) x (3,5) -> (4,2,5).
Tensor matmul(const Tensor& a, const Tensor& b);

// Reductions over one axis (negative counts from the end); keepdims leaves it as extent 1.
Tensor sum(const Tensor& t, int axis, bool keepdims = false);
Tensor mean(const Tensor& t, int axis, bool keepdims = false);
Tensor max(const Tensor& t, int axis, bool keepdims = false);
// Indices stored as float, exact below 2^24, so the result keeps the tensor shape rules.
Tensor argmax(const Tensor& t, int axis, bool keepdims = false);
// Whole-tensor reductions; argmax is the flat row-major index. NaN wins max, like numpy.
float sum(const Tensor& t);
float mean(const Tensor& t);
float max(const Tensor& t);
long argmax(const Tensor& t);

}  // namespace mnisttrain
