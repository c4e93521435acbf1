// libFuzzer target: text through the scenario loader, as a scenario (what a Dask worker
// or Python's loads gets: no file access) or, when it starts with "t,", as a traffic
// CSV. After a line "#--set", each line is a --set option. Every input must load or end
// in a ScenarioError; any other exception, a crash, a sanitizer report, a hang or a
// blow-up of memory is a finding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "models/loader/scenario_loader.hpp"
#include "models/loader/traffic_loader.hpp"
#include "models/yaml/scenario_error.hpp"

namespace {

using namespace surgesim::models;

constexpr std::string_view kSetMarker = "\n#--set\n";

std::vector<Override> overrides_in(std::string_view lines) {
  std::vector<Override> overrides;
  while (!lines.empty()) {
    const std::size_t end = std::min(lines.find('\n'), lines.size());
    const std::string_view line = lines.substr(0, end);
    lines.remove_prefix(std::min(end + 1, lines.size()));
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    overrides.push_back({std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)), ""});
  }
  return overrides;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  try {
    if (input.starts_with("t,")) {
      read_traffic_csv(std::string(input), "fuzz.csv", "traffic.csv");
      return 0;
    }
    const std::size_t marker = input.find(kSetMarker);
    const std::string text(input.substr(0, marker));
    const std::vector<Override> overrides =
        marker == std::string_view::npos ? std::vector<Override>{}
                                         : overrides_in(input.substr(marker + kSetMarker.size()));
    ScenarioFiles none = ScenarioFiles::only({}, "the fuzz target reads no file");
    load_scenario({"fuzz.yaml", text, std::nullopt, overrides}, none);
  } catch (const ScenarioError&) {
    // The answer to an invalid scenario.
  }
  return 0;
}
