#include "sim/large_array.hpp"

#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace surgesim::sim {
namespace {

constexpr std::align_val_t kCacheLine{64};
constexpr std::align_val_t kHugePageAlign{LargeArrayMemory::kHugePage};

}  // namespace

void* LargeArrayMemory::allocate(std::size_t bytes) {
  if (bytes < kHugePage) return ::operator new(bytes, kCacheLine);
  // Whole huge pages, so that the last one is not shared with other allocations.
  const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* p = ::operator new(rounded, kHugePageAlign);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  // Only advice: where the kernel has no huge pages to give, the array works the same.
  (void)::madvise(p, rounded, MADV_HUGEPAGE);
#endif
  return p;
}

void LargeArrayMemory::deallocate(void* p, std::size_t bytes) {
  if (bytes < kHugePage) {
    ::operator delete(p, kCacheLine);
  } else {
    ::operator delete(p, kHugePageAlign);
  }
}

}  // namespace surgesim::sim
