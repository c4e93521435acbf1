#pragma once

#include <cstddef>
#include <span>
#include <string>

// Files on the way out: a result file appears under its name only once it is complete,
// and what a run writes before that does not outlive it.
//
// The rule for temporary files, whatever stops the run (an error, Ctrl-C, SIGKILL, a
// power cut):
// - Where the file system can make files without a name (Linux O_TMPFILE: ext4, xfs,
//   btrfs, tmpfs), the result file and the scratch file of the replications are
//   written without one; the result file is linked in as "PATH.tmp-PID" only to be
//   renamed to PATH at once. A process killed while writing leaves nothing.
// - Elsewhere (NFS, some FUSE file systems) the result file is written as
//   "PATH.tmp-PID" and the scratch file as "PATH.tmp-PID.replications" (unlinked as soon
//   as it is open). Any failure removes them; only a process killed outright can leave
//   "PATH.tmp-PID" behind.
// - Every run that writes PATH first removes each "PATH.tmp-PID" and
//   "PATH.tmp-PID.replications" whose PID is not a live process on this machine. (Two
//   machines writing the same PATH in one shared directory at the same time could
//   remove each other's temporary file: give them different names.)
namespace surgesim::models {

// Throws ScenarioError (a usage error, exit 2) unless `path` can receive a result file:
// a new name or an existing regular file (not a directory, device, FIFO or socket), in
// a directory that exists and that this process may write in.
void check_output_path(const std::string& path);

// Removes the temporaries of `path` left by processes that are gone (the rule above).
void remove_stale_temporaries(const std::string& path);

// A file of doubles that has no name: in the directory of `beside`, unlinked from the
// start (or as soon as it is open where the file system needs a name), so that the
// kernel frees it when it is closed or the process dies.
class ScratchFile {
 public:
  explicit ScratchFile(const std::string& beside);
  ~ScratchFile();
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;

  void write(std::span<const double> values, std::size_t at_value);
  void read(std::span<double> values, std::size_t at_value) const;

 private:
  std::string description_;  // for messages: where the file is
  int fd_ = -1;
};

// The file that becomes `path` when published, open for writing on fd(): a file without
// a name, or "PATH.tmp-PID". Destroyed unpublished, it leaves nothing behind.
class PendingFile {
 public:
  explicit PendingFile(std::string path);
  ~PendingFile();
  PendingFile(const PendingFile&) = delete;
  PendingFile& operator=(const PendingFile&) = delete;

  int fd() const { return fd_; }
  // Syncs the data to disk, then gives the file its name in one rename (a previous
  // file of that name is replaced only now) and syncs the directory. Call once the
  // writer is done with fd().
  void publish();

 private:
  std::string path_;
  std::string temporary_;  // PATH.tmp-PID
  int fd_ = -1;
  bool unnamed_ = false;  // O_TMPFILE: the temporary name exists only inside publish()
  bool published_ = false;
};

}  // namespace surgesim::models
