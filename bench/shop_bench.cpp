#include "shop_bench.hpp"

#include <sstream>
#include <string>

#include "models/loader/scenario_loader.hpp"
#include "models/shop.hpp"

namespace surgesim::bench {
namespace {

std::string num(double value) {
  std::ostringstream out;
  out.precision(17);
  out << value;
  return out.str();
}

}  // namespace

ShopSample run_shop(int servers, double rho, double expected_requests) {
  constexpr double kRate = 1000.0;  // sessions/s; one request each
  const double mean_service = rho * servers / kRate;
  const std::string text =
      "name: bench-mmc\n"
      "duration: " + num(expected_requests / kRate) + "\n"
      "traffic: {rate: " + num(kRate) + "}\n"
      "journeys:\n"
      "  browse:\n"
      "    share: 1\n"
      "    pages:\n"
      "      view: {call: web, next: {exit: 1}}\n"
      "services:\n"
      "  web:\n"
      "    type: server_pool\n"
      "    instances: " + std::to_string(servers) + "\n"
      "    service: {dist: exponential, mean: " + num(mean_service) + "}\n";
  const models::Scenario scenario = models::load_scenario_text(text, "<bench>");

  const auto start = std::chrono::steady_clock::now();
  models::Shop shop(scenario, 0);
  const models::Json summary = shop.run();
  const double seconds = seconds_since(start);

  const models::Json& web = summary.at("services").at("web");
  ShopSample sample;
  sample.requests = Sample{web.at("arrivals").get<double>(), seconds};
  sample.events = static_cast<double>(shop.events_fired());
  sample.utilization = web.at("utilization").get<double>();
  return sample;
}

}  // namespace surgesim::bench
