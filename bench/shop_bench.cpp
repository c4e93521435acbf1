#include "shop_bench.hpp"

#include <sstream>
#include <string>

#include "models/loader/scenario_loader.hpp"
#include "models/run/shop.hpp"

namespace surgesim::bench {

ShopSample run_shop(int servers, double rho, double expected_requests) {
  constexpr double kRate = 1000.0;  // sessions/s; one request each
  std::ostringstream yaml;
  yaml.precision(17);
  yaml << "name: bench-mmc\n"
       << "duration: " << expected_requests / kRate << "\n"
       << "traffic: {rate: " << kRate << "}\n"
       << "journeys:\n"
       << "  browse:\n"
       << "    share: 1\n"
       << "    pages:\n"
       << "      view: {call: web, next: {exit: 1}}\n"
       << "services:\n"
       << "  web:\n"
       << "    type: server_pool\n"
       << "    instances: " << servers << "\n"
       << "    service: {dist: exponential, mean: " << rho * servers / kRate << "}\n";
  const models::Scenario scenario = models::load_scenario_text(yaml.str(), "<bench>");

  const Stopwatch watch;
  models::Shop shop(scenario, 0);
  const models::Json summary = shop.run().summary;
  const Sample run = watch.sample(0.0);

  const models::Json& web = summary.at("services").at("web");
  ShopSample sample;
  sample.requests = run;
  sample.requests.work = web.at("arrivals").get<double>();
  sample.events = static_cast<double>(shop.events_fired());
  sample.utilization = web.at("utilization").get<double>();
  return sample;
}

}  // namespace surgesim::bench
