#pragma once

#include <hdf5.h>

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

// A small C++ face over the HDF5 C API for writing result files: owned handles, errors as
// exceptions (std::runtime_error: the system's reason for a failed read or write, such
// as "No space left on device", else HDF5's own description), nothing printed by HDF5
// itself, and the few kinds of object a result file holds.
namespace surgesim::models::hdf5 {

struct DriverOutcome;

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

// A file being written. Destroyed before close() (a step failed), it is given up at
// once: HDF5 keeps nothing of it open, and what it holds is garbage.
class Writer {
 public:
  // Writes the file on descriptor `fd` (emptied first; the caller keeps and closes it),
  // through hdf5_driver.hpp's driver.
  static Writer create(int fd);
  ~Writer();
  Writer(Writer&&) = default;
  Writer& operator=(Writer&&) = delete;
  // Flushes and closes; throws if the file could not be finished (a full disk shows
  // here, if not before).
  void close();

  // Opens the group at `path` ("/" is the root), creating it and any missing parents.
  Handle group(const std::string& path);

  // A scalar variable-length UTF-8 string dataset, returned for its attributes.
  Handle string_dataset(hid_t parent, const std::string& name, const std::string& text);
  // Float64 datasets, chunked, shuffled and deflated: [n] and [rows, cols] (row-major).
  // Each step throws once a write of the file failed (attributes are checked by the
  // next step).
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
  Writer();
  void check_io() const;  // throws the first failed read or write's reason

  std::unique_ptr<DriverOutcome> outcome_;  // outlives file_ (declared first)
  Handle file_;
};

}  // namespace surgesim::models::hdf5
