// A shop that cannot keep up must never look healthy: sessions still active when the run
// ends are counted (`unfinished`), a queue that would take longer than a bucket to drain
// marks its service saturated, the report says so first and --check-slo fails.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "models/report/text_report.hpp"
#include "models/run/saturation.hpp"
#include "tests/cpp/scenario_runner.hpp"

using namespace surgesim;
using testing::run_yaml;

namespace {

// the scenario reference's example: one instance, 1 s of work, 50 sessions/s, no patience and a
// drop-rate SLO that no shopper ever fails, because none gives up.
std::string one_worker_shop(int instances) {
  return R"(
name: one-worker
duration: 10m
traffic: {rate: 50}
journeys:
  only:
    share: 1
    pages:
      view: {call: web, next: {exit: 1}}
services:
  web: {type: server_pool, instances: )" +
         std::to_string(instances) + R"(, service: 1s}
slo:
  - {name: drops, metric: drop_rate, scope: all, max: 0.05}
)";
}

std::uint64_t count(const models::Json& summary, const std::string& pointer) {
  return summary.at(models::Json::json_pointer(pointer)).get<std::uint64_t>();
}

struct CliResult {
  int status = -1;
  std::string out;
};

CliResult cli(const std::string& args) {
  const std::string command = std::string(SURGESIM_CLI) + " " + args + " 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  CliResult r;
  std::array<char, 4096> buffer{};
  while (const std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) {
    r.out.append(buffer.data(), n);
  }
  const int status = pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string write_file(const std::string& name, const std::string& text) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("surgesim-saturation-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / name).string();
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("an undersized shop is saturated, and its queued shoppers are unfinished") {
  const auto result = run_yaml(one_worker_shop(1), 1);
  const models::Json& s = result.summary;
  CHECK(s["saturated"] == true);
  CHECK(s["saturated_services"] == models::Json::array({"web"}));
  // Without warm-up every session that started either ended or is still active.
  const std::uint64_t started = count(s, "/sessions/started");
  CHECK(started == count(s, "/sessions/completed") + count(s, "/sessions/dropped") +
                       count(s, "/sessions/unfinished"));
  // One worker finishes 600 one-second requests in 10 minutes: the rest still wait.
  CHECK(count(s, "/sessions/completed") <= 600);
  CHECK(count(s, "/sessions/unfinished") > 0.9 * started);
  CHECK(count(s, "/services/web/queue_at_end") == count(s, "/sessions/unfinished") - 1);
  // At one request a second the queue takes as many seconds to drain.
  CHECK(s["services"]["web"]["drain_s"].get<double>() ==
        doctest::Approx(static_cast<double>(count(s, "/services/web/queue_at_end"))));
  // Nobody gave up, so the drop-rate SLO passes: only the saturation tells the truth.
  CHECK(s["slo"][0]["ok"] == true);

  const std::string report = models::text_report(s);
  CHECK(report.starts_with("SATURATED: the shop cannot keep up."));
  CHECK(report.find("  web: ") < report.find("surgesim · one-worker"));
  CHECK(report.find("unfinished") != std::string::npos);
}

TEST_CASE("a shop with headroom is not saturated") {
  // 50 Erlang offered to 100 workers: the queue is empty nearly always.
  const auto result = run_yaml(one_worker_shop(100), 1);
  const models::Json& s = result.summary;
  CHECK(s["saturated"] == false);
  CHECK(s["saturated_services"] == models::Json::array());
  // Those still active are the ones in their last second: about 50.
  CHECK(count(s, "/sessions/unfinished") < 150);
  CHECK(models::text_report(s).find("SATURATED") == std::string::npos);
}

TEST_CASE("sessions that started during the warm-up are not unfinished") {
  // Every session started in the first minute of warm-up is still queued at the end,
  // but it is outside the statistics window.
  const std::string yaml = one_worker_shop(1) + "warmup: 1m\n";
  const auto result = run_yaml(yaml, 1);
  const models::Json& s = result.summary;
  // Active at the end: the one in service and those queued. FIFO served about 600 of the
  // 3,000 (Poisson, sd 55) that arrived in the warm-up; the other 2,400 (sd 55) are
  // still active but not unfinished.
  const std::uint64_t active = count(s, "/services/web/queue_at_end") + 1;
  const std::uint64_t from_warmup = active - count(s, "/sessions/unfinished");
  CHECK(from_warmup > 2400 - 4 * 55);
  CHECK(from_warmup < 2400 + 4 * 55);
}

TEST_CASE("the experiment is saturated when any replication is, with the services of all") {
  auto tree = [](bool web, bool db) {
    models::Json t;
    t["saturated"] = web || db;
    t["saturated_services"] = models::Json::array();
    if (web) t["saturated_services"].push_back("web");
    if (db) t["saturated_services"].push_back("db");
    t["services"]["web"] = models::Json::object();
    t["services"]["db"] = models::Json::object();
    return t;
  };
  const std::vector<models::Json> replications = {tree(false, true), tree(false, false),
                                                  tree(true, false)};
  models::Json summary = tree(false, true);  // what merging leaves: the first one's labels
  summary["ci95"] = tree(false, true);
  models::merge_saturation(summary, replications);
  CHECK(summary["saturated"] == true);
  CHECK(summary["saturated_services"] == models::Json::array({"web", "db"}));
  CHECK_FALSE(summary["ci95"].contains("saturated"));
  CHECK_FALSE(summary["ci95"].contains("saturated_services"));

  models::Json calm = tree(false, false);
  models::merge_saturation(calm, {tree(false, false), tree(false, false)});
  CHECK(calm["saturated"] == false);
}

TEST_CASE("a partial last bucket is judged at its own pace") {
  models::ServiceStats last;
  last.completed = 10;         // in 5 s: 2 per second
  last.queue.set(0.0, 150.0);  // 75 s of work
  const models::QueueAtEnd q = models::queue_at_end(last, 600.0, 605.0, 60.0);
  CHECK(q.waiting == 150);
  CHECK(q.completed == doctest::Approx(120.0));
  CHECK(q.saturated());
  CHECK(q.drain_s() == doctest::Approx(75.0));
  last.queue.set(0.0, 100.0);  // 50 s: less than a bucket
  CHECK_FALSE(models::queue_at_end(last, 600.0, 605.0, 60.0).saturated());
  models::ServiceStats idle;
  CHECK_FALSE(models::queue_at_end(idle, 0.0, 60.0, 60.0).saturated());
  idle.queue.set(0.0, 1.0);  // one waiting and nothing done: never drains
  CHECK(models::queue_at_end(idle, 0.0, 60.0, 60.0).saturated());
  CHECK(std::isinf(models::queue_at_end(idle, 0.0, 60.0, 60.0).drain_s()));
}

TEST_CASE("surgesim run --check-slo fails a saturated run, passes a healthy one") {
  const CliResult drowning =
      cli("run -q --check-slo " + write_file("one.yaml", one_worker_shop(1)));
  CHECK(drowning.status == 3);
  CHECK(drowning.out.starts_with("SATURATED"));
  const CliResult fine = cli("run -q --check-slo " + write_file("many.yaml", one_worker_shop(100)));
  CHECK(fine.status == 0);
  // Without --check-slo the report is the answer: exit 0.
  CHECK(cli("run -q " + write_file("one.yaml", one_worker_shop(1))).status == 0);
  const CliResult json =
      cli("run -q --format json --check-slo " + write_file("one.yaml", one_worker_shop(1)));
  CHECK(json.status == 3);
  const models::Json summary = models::Json::parse(json.out);
  CHECK(summary["saturated"] == true);
}

TEST_CASE("a waiting room that cannot empty saturates the run, one that keeps up does not") {
  // 50 sessions/s of one second each: 5 places admit about 5 a second, so the room gains
  // about 45 a second and holds most of the night's shoppers when the run ends.
  const auto full = run_yaml(one_worker_shop(100) + "waiting_room: {max_active: 5}\n", 1);
  const models::Json& s = full.summary;
  CHECK(s["saturated"] == true);
  CHECK(s["saturated_services"] == models::Json::array({"waiting_room"}));
  const std::uint64_t waiting = count(s, "/waiting_room/queue_at_end");
  CHECK(waiting > 0.8 * static_cast<double>(count(s, "/sessions/started")));
  CHECK(waiting + 5 >= count(s, "/sessions/unfinished"));
  // At about 5 admissions a second the room takes waiting / 5 seconds to empty.
  CHECK(s["waiting_room"]["drain_s"].get<double>() ==
        doctest::Approx(static_cast<double>(waiting) / 5.0).epsilon(0.1));
  const std::string report = models::text_report(s);
  CHECK(report.starts_with("SATURATED"));
  CHECK(report.find("  waiting_room: ") < report.find("surgesim · one-worker"));
  CHECK(report.find(" sessions waiting") != std::string::npos);

  // 100 places for about 50 active sessions: nobody waits at the end.
  const auto roomy = run_yaml(one_worker_shop(100) + "waiting_room: {max_active: 100}\n", 1);
  CHECK(roomy.summary["saturated"] == false);
  CHECK(count(roomy.summary, "/waiting_room/queue_at_end") == 0);
}
