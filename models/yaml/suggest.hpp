#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace surgesim::models {

// The candidate closest to `word` by edit distance, if it is close enough to be a
// plausible typo; empty otherwise.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "", for error messages.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace surgesim::models
