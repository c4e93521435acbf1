#pragma once

#include <hdf5.h>

#include <cstddef>
#include <span>
#include <string>
#include <vector>

// A small C++ face over the HDF5 C API for writing result files: owned handles, errors as
// exceptions (std::runtime_error with HDF5's own description), and the few kinds of
// object a result file holds.
namespace surgesim::models::hdf5 {

// An HDF5 identifier closed by the matching H5?close when it goes out of scope.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer close) : id_(id), close_(close) {}
  Handle(Handle&& other) noexcept : id_(other.id_), close_(other.close_) { other.id_ = -1; }
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }

  hid_t get() const { return id_; }
  void reset();
  // Gives up ownership: the caller closes the identifier.
  hid_t release() {
    const hid_t id = id_;
    id_ = -1;
    return id;
  }

 private:
  hid_t id_ = -1;
  Closer close_ = nullptr;
};

// A file opened for writing. Creating truncates any existing file of that name.
class Writer {
 public:
  static Writer create(const std::string& path);
  // Flushes and closes; throws if HDF5 could not finish the file (a disk full shows here).
  void close();

  // Opens the group at `path` ("/" is the root), creating it and any missing parents.
  Handle group(const std::string& path);

  // A scalar variable-length UTF-8 string dataset, returned for its attributes.
  Handle string_dataset(hid_t parent, const std::string& name, const std::string& text);
  // Float64 datasets, chunked, shuffled and deflated: [n] and [rows, cols] (row-major).
  void doubles(hid_t parent, const std::string& name, std::span<const double> values);
  void doubles(hid_t parent, const std::string& name, std::size_t rows, std::size_t cols,
               std::span<const double> values);

  // Scalar attributes and a 1-D string list attribute.
  static void attribute(hid_t object, const std::string& name, const std::string& text);
  static void attribute(hid_t object, const std::string& name, double value);
  static void attribute(hid_t object, const std::string& name, std::int64_t value);
  static void attribute(hid_t object, const std::string& name, std::uint64_t value);
  static void attribute(hid_t object, const std::string& name,
                        const std::vector<std::string>& texts);

 private:
  explicit Writer(Handle file, std::string path) : file_(std::move(file)), path_(std::move(path)) {}
  Handle file_;
  std::string path_;
};

}  // namespace surgesim::models::hdf5
