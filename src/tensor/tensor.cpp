// Tensor storage, shape handling, element access, reshape and transpose.
#include "tensor/tensor.h"

#include <utility>

#include "error.h"

namespace mnisttrain {

namespace {

long checked_size(const Shape& shape) {
  long n = 1;
  for (long d : shape) {
    if (d < 0) throw Error("negative dimensions are not allowed");
    n *= d;
  }
  return n;
}

// Row-major strides in elements.
Shape strides_of(const Shape& shape) {
  Shape strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
  return strides;
}

}  // namespace

std::string shape_to_string(const Shape& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ",";
    s += std::to_string(shape[i]);
  }
  // A 1-tuple keeps its trailing comma in Python.
  if (shape.size() == 1) s += ",";
  return s + ")";
}

int normalize_axis(int axis, int ndim) {
  const int a = axis < 0 ? axis + ndim : axis;
  if (a < 0 || a >= ndim) {
    throw Error("axis " + std::to_string(axis) + " is out of bounds for array of dimension " +
                std::to_string(ndim));
  }
  return a;
}

Tensor::Tensor() : shape_{0} {}

Tensor::Tensor(Shape shape)
    : shape_(std::move(shape)), values_(static_cast<size_t>(checked_size(shape_)), 0.0f) {}

Tensor::Tensor(Shape shape, std::vector<float> values)
    : shape_(std::move(shape)), values_(std::move(values)) {
  if (checked_size(shape_) != size()) {
    throw Error("cannot create a tensor of shape " + shape_to_string(shape_) + " from " +
                std::to_string(size()) + " values");
  }
}

Tensor Tensor::scalar(float value) { return Tensor(Shape{}, {value}); }

long Tensor::shape(int axis) const {
  return shape_[static_cast<size_t>(normalize_axis(axis, ndim()))];
}

long Tensor::flat_index(const std::vector<long>& index) const {
  if (static_cast<int>(index.size()) != ndim()) {
    throw Error("expected " + std::to_string(ndim()) + " indices for a tensor of shape " +
                to_string() + ", got " + std::to_string(index.size()));
  }
  long flat = 0;
  for (size_t axis = 0; axis < index.size(); ++axis) {
    const long extent = shape_[axis];
    const long i = index[axis] < 0 ? index[axis] + extent : index[axis];
    if (i < 0 || i >= extent) {
      throw Error("index " + std::to_string(index[axis]) + " is out of bounds for axis " +
                  std::to_string(axis) + " with size " + std::to_string(extent));
    }
    flat = flat * extent + i;
  }
  return flat;
}

float& Tensor::at(const std::vector<long>& index) { return (*this)[flat_index(index)]; }

float Tensor::at(const std::vector<long>& index) const { return (*this)[flat_index(index)]; }

float Tensor::item() const {
  if (size() != 1) throw Error("can only convert an array of size 1 to a Python scalar");
  return values_[0];
}

Tensor Tensor::reshape(Shape shape) const {
  int unknown = -1;
  long known = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (unknown >= 0) throw Error("can only specify one unknown dimension");
      unknown = static_cast<int>(i);
    } else if (shape[i] < 0) {
      throw Error("negative dimensions not allowed");
    } else {
      known *= shape[i];
    }
  }
  const bool fits = unknown >= 0 ? known > 0 && size() % known == 0 : known == size();
  if (!fits) {
    // numpy prints the inferred dimension as "newaxis".
    std::string wanted = "(";
    for (size_t i = 0; i < shape.size(); ++i) {
      if (i > 0) wanted += ",";
      wanted += static_cast<int>(i) == unknown ? "newaxis" : std::to_string(shape[i]);
    }
    wanted += shape.size() == 1 ? ",)" : ")";
    throw Error("cannot reshape array of size " + std::to_string(size()) + " into shape " + wanted);
  }
  if (unknown >= 0) shape[static_cast<size_t>(unknown)] = size() / known;
  return Tensor(std::move(shape), values_);
}

Tensor Tensor::transpose() const {
  std::vector<int> axes(shape_.size());
  for (size_t i = 0; i < axes.size(); ++i) axes[i] = ndim() - 1 - static_cast<int>(i);
  return transpose(axes);
}

Tensor Tensor::transpose(const std::vector<int>& axes) const {
  const int n = ndim();
  if (static_cast<int>(axes.size()) != n) throw Error("axes don't match array");
  std::vector<int> perm(axes.size());
  std::vector<bool> seen(axes.size(), false);
  for (size_t i = 0; i < axes.size(); ++i) {
    perm[i] = normalize_axis(axes[i], n);
    if (seen[static_cast<size_t>(perm[i])]) throw Error("repeated axis in transpose");
    seen[static_cast<size_t>(perm[i])] = true;
  }

  Shape out_shape(axes.size());
  Shape in_strides = strides_of(shape_);
  Shape step(axes.size());  // input stride followed by each output axis
  for (size_t i = 0; i < axes.size(); ++i) {
    out_shape[i] = shape_[static_cast<size_t>(perm[i])];
    step[i] = in_strides[static_cast<size_t>(perm[i])];
  }
  Tensor out(out_shape);
  if (out.size() == 0) return out;

  // Walk the output in order with an odometer over its index, tracking the input offset.
  Shape index(axes.size(), 0);
  long src = 0;
  for (long dst = 0; dst < out.size(); ++dst) {
    out[dst] = values_[static_cast<size_t>(src)];
    for (int d = n - 1; d >= 0; --d) {
      const size_t u = static_cast<size_t>(d);
      src += step[u];
      if (++index[u] < out_shape[u]) break;
      src -= step[u] * out_shape[u];
      index[u] = 0;
    }
  }
  return out;
}

}  // namespace mnisttrain
