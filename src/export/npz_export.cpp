// .npy encoding and the zip around it; see npz_export.h.
#include "export/npz_export.h"

#include "error.h"

#include <zip.h>

#include <memory>

namespace mnisttrain::exporting {

std::string npy_bytes(const float* values, const std::vector<std::size_t>& shape) {
  std::string dims;
  std::size_t count = 1;
  for (const std::size_t d : shape) {
    dims += std::to_string(d) + ",";
    count *= d;
  }
  if (shape.size() > 1) dims.pop_back();  // (784, 512) but (512,)
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Magic (6) + version (2) + length (2) + header + newline: a multiple of 64 bytes.
  const std::size_t unpadded = 10 + header.size() + 1;
  header += std::string((64 - unpadded % 64) % 64, ' ') + "\n";
  std::string bytes("\x93NUMPY\x01\x00", 8);
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  bytes += header;
  bytes.append(reinterpret_cast<const char*>(values), count * sizeof(float));
  return bytes;
}

namespace {

[[noreturn]] void fail(const std::string& what, zip_error_t* error) {
  const std::string message = "npz: " + what + ": " + zip_error_strerror(error);
  zip_error_fini(error);
  throw Error(message);
}

// The archive is built in memory and returned as bytes, so the caller writes it atomically.
class MemoryZip {
 public:
  MemoryZip() {
    zip_error_t error;
    zip_error_init(&error);
    source_ = zip_source_buffer_create(nullptr, 0, 0, &error);
    if (!source_) fail("cannot create a buffer", &error);
    zip_source_keep(source_);  // stays readable after zip_close
    archive_ = zip_open_from_source(source_, ZIP_TRUNCATE, &error);
    if (!archive_) fail("cannot open the archive", &error);
  }
  ~MemoryZip() {
    if (archive_) zip_discard(archive_);
    zip_source_free(source_);
  }
  MemoryZip(const MemoryZip&) = delete;
  MemoryZip& operator=(const MemoryZip&) = delete;

  void add(const std::string& name, std::string bytes) {
    files_.push_back(std::make_unique<std::string>(std::move(bytes)));  // libzip reads it at close
    zip_source_t* file = zip_source_buffer(archive_, files_.back()->data(), files_.back()->size(), 0);
    if (!file || zip_file_add(archive_, name.c_str(), file, ZIP_FL_ENC_UTF_8) < 0) {
      if (file) zip_source_free(file);
      fail("cannot add " + name, zip_get_error(archive_));
    }
  }

  std::string close() {
    if (zip_close(archive_) < 0) fail("cannot finish the archive", zip_get_error(archive_));
    archive_ = nullptr;
    zip_stat_t stat;
    if (zip_source_stat(source_, &stat) < 0 || zip_source_open(source_) < 0) {
      fail("cannot read the archive back", zip_source_error(source_));
    }
    std::string bytes(stat.size, '\0');
    const zip_int64_t got = zip_source_read(source_, bytes.data(), stat.size);
    zip_source_close(source_);
    if (got != static_cast<zip_int64_t>(stat.size)) fail("short read of the archive", zip_source_error(source_));
    return bytes;
  }

 private:
  zip_source_t* source_ = nullptr;
  zip_t* archive_ = nullptr;
  std::vector<std::unique_ptr<std::string>> files_;
};

}  // namespace

std::string npz_bytes(const nn::Network& network) {
  MemoryZip zip;
  const float* params = network.params().data();
  for (const nn::Layer& layer : network.layers()) {
    if (layer.spec.type != nn::LayerType::Dense) continue;
    zip.add(layer.name + "/kernel.npy", npy_bytes(params + layer.weight_offset, {layer.inputs, layer.outputs}));
    if (layer.spec.use_bias) zip.add(layer.name + "/bias.npy", npy_bytes(params + layer.bias_offset, {layer.outputs}));
  }
  return zip.close();
}

}  // namespace mnisttrain::exporting
