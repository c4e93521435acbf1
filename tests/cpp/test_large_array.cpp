#include <doctest/doctest.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/large_array.hpp"

using surgesim::sim::LargeArray;
using surgesim::sim::LargeArrayMemory;

namespace {

std::uintptr_t address(const void* p) {
  return reinterpret_cast<std::uintptr_t>(p);
}

// The kernel's transparent huge page mode, the bracketed word of
// /sys/kernel/mm/transparent_hugepage/enabled ("always [madvise] never"); empty if unknown.
std::string huge_page_mode() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string line;
  if (!std::getline(in, line)) return {};
  const auto open = line.find('['), close = line.find(']');
  if (open == std::string::npos || close == std::string::npos) return {};
  return line.substr(open + 1, close - open - 1);
}

// The "THPeligible" field of the mapping that holds p in /proc/self/smaps: 1 when the
// kernel may back it with huge pages, 0 when not, -1 when unknown.
int huge_page_eligible(const void* p) {
  std::ifstream in("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    unsigned long long lo = 0, hi = 0;
    if (std::sscanf(line.c_str(), "%llx-%llx ", &lo, &hi) == 2 && line.find(':') > line.find(' ')) {
      inside = lo <= address(p) && address(p) < hi;
      continue;
    }
    if (inside && line.rfind("THPeligible:", 0) == 0) {
      return std::stoi(line.substr(line.find(':') + 1));
    }
  }
  return -1;
}

}  // namespace

TEST_CASE("large arrays start on a cache line, and from 2 MiB on a huge page boundary") {
  for (const std::size_t bytes :
       {std::size_t{8}, std::size_t{100}, std::size_t{4096}, LargeArrayMemory::kHugePage - 1}) {
    void* p = LargeArrayMemory::allocate(bytes);
    CHECK(address(p) % 64 == 0);
    LargeArrayMemory::deallocate(p, bytes);
  }
  for (const std::size_t bytes :
       {LargeArrayMemory::kHugePage, 3 * LargeArrayMemory::kHugePage + 1}) {
    void* p = LargeArrayMemory::allocate(bytes);
    CHECK(address(p) % LargeArrayMemory::kHugePage == 0);
    LargeArrayMemory::deallocate(p, bytes);
  }
}

TEST_CASE("a vector on LargeArray keeps its elements through growth") {
  // 32-byte elements, grown past the huge-page size: every reallocation moves them.
  struct alignas(32) Slot {
    std::uint64_t a, b, c;
  };
  std::vector<Slot, LargeArray<Slot>> v;
  constexpr std::uint64_t kCount = 3 * LargeArrayMemory::kHugePage / sizeof(Slot);
  for (std::uint64_t i = 0; i < kCount; ++i) v.push_back(Slot{i, 2 * i, 3 * i});
  CHECK(address(v.data()) % LargeArrayMemory::kHugePage == 0);
  bool same = true;
  for (std::uint64_t i = 0; i < kCount; ++i) same = same && v[i].a == i && v[i].c == 3 * i;
  CHECK(same);
}

TEST_CASE("a large array asks the kernel for huge pages") {
  const std::string mode = huge_page_mode();
  if (mode.empty() || mode == "never") {
    MESSAGE("transparent huge pages are off or unknown here (mode '" << mode << "'): not checked");
    return;
  }
  const std::size_t bytes = 4 * LargeArrayMemory::kHugePage;
  void* p = LargeArrayMemory::allocate(bytes);
  const int eligible = huge_page_eligible(p);
  if (eligible < 0) {
    MESSAGE("/proc/self/smaps has no THPeligible field here: not checked");
  } else {
    // With mode "madvise" only memory that asked is eligible: this is the advice at work.
    CHECK(eligible == 1);
  }
  LargeArrayMemory::deallocate(p, bytes);
  if (mode == "madvise" && eligible >= 0) {
    // The control: under "madvise", memory of the same size that did not ask (malloc
    // gives a block this large a mapping of its own) is not eligible.
    std::vector<char> plain(bytes, 1);
    CHECK(huge_page_eligible(plain.data()) == 0);
  }
}
