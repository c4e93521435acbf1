#include "models/loader/traffic_loader.hpp"

namespace surgesim::models {

TrafficConfig read_traffic(const YamlNode& node, const std::string& /*scenario_dir*/) {
  const YamlMap m(node, {"rate"}, {"profile", "csv", "spikes", "scale"});
  TrafficConfig traffic;
  traffic.rate = m.required("rate").as_rate();
  return traffic;
}

}  // namespace surgesim::models
