#include "scenario_bench.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <stdexcept>

#include "measure.hpp"
#include "models/run/shop.hpp"

namespace surgesim::bench {
namespace {

// Resident set now, in MiB (the second field of /proc/self/statm, in pages).
double current_rss_mib() {
  std::FILE* statm = std::fopen("/proc/self/statm", "r");
  if (statm == nullptr) return 0.0;
  long size = 0;
  long resident = 0;
  const int read = std::fscanf(statm, "%ld %ld", &size, &resident);
  std::fclose(statm);
  if (read != 2) return 0.0;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) /
         (1024.0 * 1024.0);
}

ScenarioSample measure(const models::Scenario& scenario) {
  ScenarioSample sample;
  sample.start_rss_mib = current_rss_mib();
  const Stopwatch watch;
  models::Shop shop(scenario, 0);
  const models::Json summary = shop.run().summary;
  const Sample run = watch.sample(0.0);
  sample.seconds = run.seconds;
  sample.cpu_seconds = run.cpu_seconds;
  sample.sessions = summary.at("sessions").at("started").get<double>();
  sample.page_requests = summary.at("latency").at("requests").get<double>();
  for (const auto& [name, service] : summary.at("services").items()) {
    sample.service_visits += service.at("arrivals").get<double>();
  }
  sample.events = static_cast<double>(shop.events_fired());
  sample.drop_rate = summary.at("drop_rate").get<double>();
  sample.peak_rss_mib = peak_rss_mib();
  return sample;
}

// Writes all of `size` bytes or fails.
bool write_all(int fd, const void* data, std::size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = write(fd, p, size);
    if (n <= 0) return false;
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

ScenarioSample run_scenario(const models::Scenario& scenario) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  std::fflush(stdout);
  const pid_t child = fork();
  if (child < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    close(fds[0]);
    int status = 1;
    try {
      const ScenarioSample sample = measure(scenario);
      status = write_all(fds[1], &sample, sizeof sample) ? 0 : 1;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bench child: %s\n", e.what());
    }
    _exit(status);
  }
  close(fds[1]);
  ScenarioSample sample;
  std::size_t got = 0;
  while (got < sizeof sample) {
    const ssize_t n = read(fds[0], reinterpret_cast<char*>(&sample) + got, sizeof sample - got);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  if (got != sizeof sample || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("the benchmark child failed");
  }
  return sample;
}

}  // namespace surgesim::bench
