#pragma once

#include <cstddef>

namespace surgesim::sim {

// Memory for the kernel's and the shoppers' large arrays (event slots, the tournament
// tree, the ladder's chunks, sessions): every array starts on a cache line, so that
// fixed-size groups of elements (four tree siblings, one 32-byte slot) never straddle
// two lines, and an array of 2 MiB or more starts on a 2 MiB boundary and asks Linux
// for transparent huge pages (madvise), which a default Debian kernel gives only to
// memory that asks.
//
// NOTE: why huge pages: with 10^5 sessions in flight or more, every event touches a
// slot and a session at random in arrays of tens of MiB, and with 4 KiB pages most of
// those touches also miss the address translation cache and walk the page table.
// Measured from the command line, 720,000 sessions in flight (bench/in-flight.yaml at
// 10x traffic) took 0.88x the CPU time (paired runs); a shop whose arrays stay small
// never asks.
struct LargeArrayMemory {
  static void* allocate(std::size_t bytes);
  static void deallocate(void* p, std::size_t bytes);
  // Arrays of at least this many bytes are placed on huge pages.
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;
};

template <class T>
struct LargeArray {
  using value_type = T;
  LargeArray() = default;
  template <class U>
  LargeArray(const LargeArray<U>&) {}
  T* allocate(std::size_t n) { return static_cast<T*>(LargeArrayMemory::allocate(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) { LargeArrayMemory::deallocate(p, n * sizeof(T)); }
  bool operator==(const LargeArray&) const { return true; }
};

}  // namespace surgesim::sim
