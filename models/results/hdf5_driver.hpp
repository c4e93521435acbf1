#pragma once

#include <hdf5.h>

// The HDF5 file driver result files are written through: plain POSIX I/O on a file
// descriptor the caller opened, that never reports an I/O failure to HDF5.
//
// NOTE: HDF5 1.10 cannot recover from a failed write. After a flush failed (a full
// disk), every later flush fails at once ("slist already enabled?"), so the file can
// never be closed; it stays open inside HDF5, and HDF5's clean-up at exit crashes on it
// (exit 139, after a hundred lines of diagnostics). This driver records the first
// failure instead (its errno), stops touching the disk, and answers success; the
// writer asks for the failure after each step and throws. HDF5 then closes the file as
// if all were well, and nothing of it stays open.
namespace surgesim::models::hdf5 {

// What happened to one file's I/O; must outlive the file.
struct DriverOutcome {
  int error = 0;           // errno of the first failed read, write or truncate; 0: none
  bool abandoned = false;  // set by the writer: the file is garbage, skip all I/O
};

// A file access property list with the driver on descriptor `fd` (duplicated: the
// caller keeps its own). H5Fcreate(..., H5F_ACC_TRUNC, ...) then empties the file; the
// name given to H5Fcreate is not opened.
void use_result_driver(hid_t file_access, int fd, DriverOutcome* outcome);

}  // namespace surgesim::models::hdf5
