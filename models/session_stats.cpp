#include "models/session_stats.hpp"

namespace surgesim::models {

Json SessionStats::causes_json() const {
  Json j = Json::object();
  for (std::size_t c = 0; c < kCauseCount; ++c) j[std::string(kCauseNames[c])] = by_cause[c];
  return j;
}

Json PageStats::to_json() const {
  const bool any = success > 0;
  Json j;
  j["requests"] = requests;
  j["success"] = success;
  j["mean_s"] = any ? Json(response.mean()) : Json(nullptr);
  j["p50_s"] = any ? number_or_null(response_quantiles.quantile(0.50)) : Json(nullptr);
  j["p95_s"] = any ? number_or_null(response_quantiles.quantile(0.95)) : Json(nullptr);
  j["p99_s"] = any ? number_or_null(response_quantiles.quantile(0.99)) : Json(nullptr);
  return j;
}

}  // namespace surgesim::models
