#include "models/results/hdf5_driver.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace surgesim::models::hdf5 {
namespace {

// The driver's property: which descriptor, and where to report.
struct Config {
  int fd = -1;
  DriverOutcome* outcome = nullptr;
};

// HDF5 allocates nothing for a driver's files: H5FD_t must come first.
struct File {
  H5FD_t pub;
  int fd = -1;
  DriverOutcome* outcome = nullptr;
  haddr_t eoa = 0;  // end of the space HDF5 allocated
  haddr_t eof = 0;  // the size of the file on disk
  dev_t device = 0;
  ino_t inode = 0;
};

File* as_file(H5FD_t* f) {
  return reinterpret_cast<File*>(f);
}
const File* as_file(const H5FD_t* f) {
  return reinterpret_cast<const File*>(f);
}

// The driver stops at the first failure or once the writer gave the file up.
bool skipping(const File& f) {
  return f.outcome->error != 0 || f.outcome->abandoned;
}

void record(File& f, int error) {
  if (f.outcome->error == 0) f.outcome->error = error != 0 ? error : EIO;
}

// The callbacks are called from C: nothing may throw through them.

void* copy_config(const void* config) noexcept {
  return new (std::nothrow) Config(*static_cast<const Config*>(config));
}

herr_t free_config(void* config) noexcept {
  delete static_cast<Config*>(config);
  return 0;
}

void* get_config(H5FD_t* f) noexcept {
  const File* file = as_file(f);
  return new (std::nothrow) Config{file->fd, file->outcome};
}

H5FD_t* open_file(const char*, unsigned flags, hid_t file_access, haddr_t) noexcept {
  const auto* config = static_cast<const Config*>(H5Pget_driver_info(file_access));
  if (config == nullptr || config->fd < 0 || config->outcome == nullptr) return nullptr;
  auto* file = new (std::nothrow) File{};
  if (file == nullptr) return nullptr;
  file->outcome = config->outcome;
  file->fd = ::dup(config->fd);
  struct stat st {};
  if (file->fd < 0 || ((flags & H5F_ACC_TRUNC) && ::ftruncate(file->fd, 0) != 0) ||
      ::fstat(file->fd, &st) != 0) {
    record(*file, errno);
    if (file->fd >= 0) ::close(file->fd);
    delete file;
    return nullptr;
  }
  file->eof = static_cast<haddr_t>(st.st_size);
  file->device = st.st_dev;
  file->inode = st.st_ino;
  return &file->pub;
}

herr_t close_file(H5FD_t* f) noexcept {
  File* file = as_file(f);
  ::close(file->fd);
  delete file;
  return 0;
}

int compare(const H5FD_t* a, const H5FD_t* b) noexcept {
  const File* x = as_file(a);
  const File* y = as_file(b);
  if (x->device != y->device) return x->device < y->device ? -1 : 1;
  if (x->inode != y->inode) return x->inode < y->inode ? -1 : 1;
  return 0;
}

herr_t query(const H5FD_t*, unsigned long* flags) noexcept {
  // As HDF5's own POSIX driver: small metadata and raw data gathered into larger writes.
  *flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_ACCUMULATE_METADATA | H5FD_FEAT_DATA_SIEVE |
           H5FD_FEAT_AGGREGATE_SMALLDATA;
  return 0;
}

haddr_t get_eoa(const H5FD_t* f, H5FD_mem_t) noexcept {
  return as_file(f)->eoa;
}

herr_t set_eoa(H5FD_t* f, H5FD_mem_t, haddr_t address) noexcept {
  as_file(f)->eoa = address;
  return 0;
}

haddr_t get_eof(const H5FD_t* f, H5FD_mem_t) noexcept {
  return as_file(f)->eof;
}

herr_t get_handle(H5FD_t* f, hid_t, void** handle) noexcept {
  *handle = &as_file(f)->fd;
  return 0;
}

herr_t read_at(H5FD_t* f, H5FD_mem_t, hid_t, haddr_t address, size_t size, void* buffer) noexcept {
  File& file = *as_file(f);
  auto* out = static_cast<char*>(buffer);
  auto offset = static_cast<off_t>(address);
  while (size > 0 && !skipping(file)) {
    const ssize_t n = ::pread(file.fd, out, size, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) record(file, errno);
    if (n <= 0) break;  // past the end: zeros, as HDF5's drivers give
    out += n;
    size -= static_cast<size_t>(n);
    offset += n;
  }
  std::memset(out, 0, size);
  return 0;
}

herr_t write_at(H5FD_t* f, H5FD_mem_t, hid_t, haddr_t address, size_t size,
                const void* buffer) noexcept {
  File& file = *as_file(f);
  const auto* in = static_cast<const char*>(buffer);
  auto offset = static_cast<off_t>(address);
  while (size > 0 && !skipping(file)) {
    const ssize_t n = ::pwrite(file.fd, in, size, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      record(file, n < 0 ? errno : EIO);
      break;
    }
    in += n;
    size -= static_cast<size_t>(n);
    offset += n;
  }
  if (!skipping(file) && static_cast<haddr_t>(offset) > file.eof) {
    file.eof = static_cast<haddr_t>(offset);
  }
  return 0;
}

herr_t truncate_to_eoa(H5FD_t* f, hid_t, hbool_t) noexcept {
  File& file = *as_file(f);
  if (skipping(file) || file.eoa == file.eof) return 0;
  if (::ftruncate(file.fd, static_cast<off_t>(file.eoa)) != 0) {
    record(file, errno);
    return 0;
  }
  file.eof = file.eoa;
  return 0;
}

// A temporary file that nobody else opens: no locks to take.
herr_t lock_file(H5FD_t*, hbool_t) noexcept {
  return 0;
}
herr_t unlock_file(H5FD_t*) noexcept {
  return 0;
}

const H5FD_class_t kDriver = {
    .name = "surgesim_result",
    .maxaddr = static_cast<haddr_t>(INT64_MAX),
    .fc_degree = H5F_CLOSE_WEAK,
    .terminate = nullptr,
    .sb_size = nullptr,
    .sb_encode = nullptr,
    .sb_decode = nullptr,
    .fapl_size = sizeof(Config),
    .fapl_get = get_config,
    .fapl_copy = copy_config,
    .fapl_free = free_config,
    .dxpl_size = 0,
    .dxpl_copy = nullptr,
    .dxpl_free = nullptr,
    .open = open_file,
    .close = close_file,
    .cmp = compare,
    .query = query,
    .get_type_map = nullptr,
    .alloc = nullptr,
    .free = nullptr,
    .get_eoa = get_eoa,
    .set_eoa = set_eoa,
    .get_eof = get_eof,
    .get_handle = get_handle,
    .read = read_at,
    .write = write_at,
    .flush = nullptr,
    .truncate = truncate_to_eoa,
    .lock = lock_file,
    .unlock = unlock_file,
    .fl_map = H5FD_FLMAP_DICHOTOMY,
};

// Registered once per HDF5 session (h5py or H5close in the same process may end one).
hid_t driver_id() {
  static hid_t id = H5I_INVALID_HID;
  if (id < 0 || H5Iis_valid(id) <= 0) id = H5FDregister(&kDriver);
  if (id < 0) throw std::runtime_error("HDF5: cannot register the result file driver");
  return id;
}

}  // namespace

void use_result_driver(hid_t file_access, int fd, DriverOutcome* outcome) {
  const Config config{fd, outcome};
  if (H5Pset_driver(file_access, driver_id(), &config) < 0) {
    throw std::runtime_error("HDF5: cannot set the result file driver");
  }
}

}  // namespace surgesim::models::hdf5
