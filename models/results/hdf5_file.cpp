#include "models/results/hdf5_file.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "models/results/hdf5_driver.hpp"

namespace surgesim::models::hdf5 {
namespace {

// HDF5 prints its error stack to stderr by default; we turn it into the exception's
// message instead, and restore whatever printing the process had (h5py in the same
// process sets its own).
class QuietErrors {
 public:
  QuietErrors() {
    H5Eget_auto2(H5E_DEFAULT, &function_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietErrors() { H5Eset_auto2(H5E_DEFAULT, function_, data_); }
  QuietErrors(const QuietErrors&) = delete;
  QuietErrors& operator=(const QuietErrors&) = delete;

 private:
  H5E_auto2_t function_ = nullptr;
  void* data_ = nullptr;
};

// The innermost description on HDF5's error stack: the most specific one ("unable to
// open file: name = ..., errno = 2, error message = 'No such file or directory'").
std::string hdf5_error_description() {
  std::string description;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned n, const H5E_error2_t* error, void* out) -> herr_t {
        if (n == 0 && error->desc) *static_cast<std::string*>(out) = error->desc;
        return 0;
      },
      &description);
  H5Eclear2(H5E_DEFAULT);
  return description.empty() ? "unknown HDF5 error" : description;
}

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("HDF5: " + what + ": " + hdf5_error_description());
}

hid_t check(hid_t id, const std::string& what) {
  if (id < 0) fail(what);
  return id;
}

void check_status(herr_t status, const std::string& what) {
  if (status < 0) fail(what);
}

Handle string_type() {
  Handle type(check(H5Tcopy(H5T_C_S1), "string type"), H5Tclose);
  check_status(H5Tset_size(type.get(), H5T_VARIABLE), "string type");
  check_status(H5Tset_cset(type.get(), H5T_CSET_UTF8), "string type");
  return type;
}

// About 64 KiB per chunk: small enough that reading one column of one replication
// touches little, large enough for deflate to find redundancy.
constexpr hsize_t kChunkValues = 8192;

Handle compressed_layout(const std::vector<hsize_t>& dims) {
  Handle plist(check(H5Pcreate(H5P_DATASET_CREATE), "dataset properties"), H5Pclose);
  std::vector<hsize_t> chunk(dims.size());
  hsize_t room = kChunkValues;
  for (std::size_t d = dims.size(); d-- > 0;) {  // fill the fastest dimension first
    chunk[d] = std::max<hsize_t>(1, std::min(dims[d], room));
    room = std::max<hsize_t>(1, room / chunk[d]);
  }
  check_status(H5Pset_chunk(plist.get(), static_cast<int>(chunk.size()), chunk.data()),
               "chunk layout");
  // Shuffled bytes compress almost as well at deflate's fastest level as at level 4
  // (5.4 MB instead of 5.3 for the M/M/1 bench's 18,519 buckets; 35 MB uncompressed),
  // and writing that file costs 0.20 s of CPU instead of 0.28 s, against 0.21 s for
  // the whole simulation: a run with -o should not be bound by zlib.
  check_status(H5Pset_shuffle(plist.get()), "shuffle filter");
  check_status(H5Pset_deflate(plist.get(), 1), "deflate filter");
  // What a reader gets from a chunk never written (see write_doubles).
  const double zero = 0.0;
  check_status(H5Pset_fill_value(plist.get(), H5T_NATIVE_DOUBLE, &zero), "fill value");
  return plist;
}

// Whether every value is +0.0, bit for bit (-0.0 is kept as written).
bool all_zero(std::span<const double> values) {
  return std::all_of(values.begin(), values.end(),
                     [](double x) { return std::bit_cast<std::uint64_t>(x) == 0; });
}

void write_doubles(hid_t parent, const std::string& name, const std::vector<hsize_t>& dims,
                   std::span<const double> values) {
  hsize_t count = 1;
  for (hsize_t d : dims) count *= d;
  if (count != values.size()) {
    throw std::logic_error("hdf5: dataset " + name + " has " + std::to_string(values.size()) +
                           " values for " + std::to_string(count) + " cells");
  }
  Handle space(check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                     "dataspace of " + name),
               H5Sclose);
  // An empty dataset cannot be chunked; it needs no compression either.
  Handle layout = count > 0 ? compressed_layout(dims)
                            : Handle(check(H5Pcreate(H5P_DATASET_CREATE), "properties"), H5Pclose);
  Handle dataset(check(H5Dcreate2(parent, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT,
                                  layout.get(), H5P_DEFAULT),
                       "create dataset " + name),
                 H5Dclose);
  // A column of zeros (no rejections, no revenue, no drops of a kind: most columns of a
  // healthy shop) is not written at all: its chunks stay unallocated and read as the fill
  // value, 0, so it costs neither zlib's time nor space in the file.
  if (count > 0 && !all_zero(values)) {
    check_status(
        H5Dwrite(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
        "write dataset " + name);
  }
}

void write_attribute(hid_t object, const std::string& name, hid_t file_type, hid_t memory_type,
                     hid_t space, const void* value) {
  Handle attribute(
      check(H5Acreate2(object, name.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT),
            "create attribute " + name),
      H5Aclose);
  check_status(H5Awrite(attribute.get(), memory_type, value), "write attribute " + name);
}

void write_scalar_attribute(hid_t object, const std::string& name, hid_t file_type,
                            hid_t memory_type, const void* value) {
  Handle space(check(H5Screate(H5S_SCALAR), "scalar dataspace"), H5Sclose);
  write_attribute(object, name, file_type, memory_type, space.get(), value);
}

}  // namespace

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = other.id_;
    close_ = other.close_;
    other.id_ = -1;
  }
  return *this;
}

void Handle::reset() {
  if (id_ >= 0 && close_) {
    const QuietErrors quiet;  // closing what a failed step left open can fail too
    close_(id_);
    H5Eclear2(H5E_DEFAULT);
  }
  id_ = -1;
}

Writer Writer::create(int fd) {
  const QuietErrors quiet;
  Writer writer;
  // NOTE: the HDF5 1.10 format indexes a dataset of one chunk without a B-tree and has
  // smaller object headers: a file of a thousand small series is about a fifth of the
  // size. Readers need HDF5 >= 1.10 (h5py, pandas and HDFView of today have it).
  Handle access(check(H5Pcreate(H5P_FILE_ACCESS), "file access properties"), H5Pclose);
  check_status(H5Pset_libver_bounds(access.get(), H5F_LIBVER_V110, H5F_LIBVER_V110),
               "file format version");
  use_result_driver(access.get(), fd, writer.outcome_.get());
  // The driver writes to `fd`; the name only labels the file inside HDF5.
  const hid_t file = H5Fcreate("surgesim-result", H5F_ACC_TRUNC, H5P_DEFAULT, access.get());
  if (file < 0) {
    writer.check_io();
    fail("create the file");
  }
  writer.file_ = Handle(file, H5Fclose);
  return writer;
}

Writer::Writer() : outcome_(std::make_unique<DriverOutcome>()) {}

Writer::~Writer() {
  if (file_.get() < 0) return;
  // Not closed: a step failed, and what was written is garbage. Skip the flush.
  outcome_->abandoned = true;
  file_.reset();
}

void Writer::check_io() const {
  if (outcome_->error != 0) throw std::runtime_error(std::strerror(outcome_->error));
}

void Writer::close() {
  const QuietErrors quiet;
  if (file_.get() < 0) return;
  // The driver reports no failure to HDF5, so these succeed; what failed is asked after.
  check_status(H5Fflush(file_.get(), H5F_SCOPE_GLOBAL), "flush");
  check_io();
  check_status(H5Fclose(file_.release()), "close");
  check_io();
}

Handle Writer::group(const std::string& path) {
  const QuietErrors quiet;
  const hid_t file = file_.get();
  if (path == "/" || H5Lexists(file, path.c_str(), H5P_DEFAULT) > 0) {
    return Handle(check(H5Gopen2(file, path.c_str(), H5P_DEFAULT), "open group " + path), H5Gclose);
  }
  Handle links(check(H5Pcreate(H5P_LINK_CREATE), "link properties"), H5Pclose);
  check_status(H5Pset_create_intermediate_group(links.get(), 1), "link properties");
  Handle group(check(H5Gcreate2(file, path.c_str(), links.get(), H5P_DEFAULT, H5P_DEFAULT),
                     "create group " + path),
               H5Gclose);
  check_io();
  return group;
}

Handle Writer::string_dataset(hid_t parent, const std::string& name, const std::string& text) {
  const QuietErrors quiet;
  const Handle type = string_type();
  Handle space(check(H5Screate(H5S_SCALAR), "scalar dataspace"), H5Sclose);
  Handle dataset(check(H5Dcreate2(parent, name.c_str(), type.get(), space.get(), H5P_DEFAULT,
                                  H5P_DEFAULT, H5P_DEFAULT),
                       "create dataset " + name),
                 H5Dclose);
  const char* data = text.c_str();
  check_status(H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &data),
               "write dataset " + name);
  check_io();
  return dataset;
}

void Writer::doubles(hid_t parent, const std::string& name, std::span<const double> values) {
  const QuietErrors quiet;
  write_doubles(parent, name, {values.size()}, values);
  check_io();
}

void Writer::doubles(hid_t parent, const std::string& name, std::size_t rows, std::size_t cols,
                     std::span<const double> values) {
  const QuietErrors quiet;
  write_doubles(parent, name, {rows, cols}, values);
  check_io();
}

void Writer::attribute(hid_t object, const std::string& name, const std::string& text) {
  const QuietErrors quiet;
  const Handle type = string_type();
  const char* data = text.c_str();
  write_scalar_attribute(object, name, type.get(), type.get(), &data);
}

void Writer::attribute(hid_t object, const std::string& name, double value) {
  const QuietErrors quiet;
  write_scalar_attribute(object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

void Writer::attribute(hid_t object, const std::string& name, std::int64_t value) {
  const QuietErrors quiet;
  write_scalar_attribute(object, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

void Writer::attribute(hid_t object, const std::string& name, std::uint64_t value) {
  const QuietErrors quiet;
  write_scalar_attribute(object, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value);
}

void Writer::attribute(hid_t object, const std::string& name,
                       const std::vector<std::string>& texts) {
  const QuietErrors quiet;
  const Handle type = string_type();
  const hsize_t count = texts.size();
  Handle space(check(H5Screate_simple(1, &count, nullptr), "dataspace of " + name), H5Sclose);
  std::vector<const char*> data;
  data.reserve(texts.size());
  for (const std::string& t : texts) data.push_back(t.c_str());
  write_attribute(object, name, type.get(), type.get(), space.get(), data.data());
}

}  // namespace surgesim::models::hdf5
