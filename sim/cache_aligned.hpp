#pragma once

#include <cstddef>
#include <new>

namespace surgesim::sim {

// An allocator that starts every array on a cache line, so that fixed-size groups of
// elements (four tree siblings, two event slots) never straddle two lines.
template <class T>
struct CacheAligned {
  using value_type = T;
  static constexpr std::align_val_t kAlign{64};
  CacheAligned() = default;
  template <class U>
  CacheAligned(const CacheAligned<U>&) {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kAlign)); }
  void deallocate(T* p, std::size_t) { ::operator delete(p, kAlign); }
  bool operator==(const CacheAligned&) const { return true; }
};

}  // namespace surgesim::sim
