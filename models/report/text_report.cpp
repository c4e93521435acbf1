#include "models/report/text_report.hpp"

#include <fmt/format.h>

#include <cmath>

#include "models/cause.hpp"
#include "models/report/table.hpp"

namespace surgesim::models {
namespace {

// Reads a number from the summary and, when there are replications, its half-width.
class Figures {
 public:
  explicit Figures(const Json& summary)
      : summary_(summary), ci_(summary.contains("ci95") ? &summary["ci95"] : nullptr) {}

  std::optional<double> value(const Json::json_pointer& p) const {
    if (!summary_.contains(p) || !summary_[p].is_number()) return std::nullopt;
    return summary_[p].get<double>();
  }
  std::optional<double> half_width(const Json::json_pointer& p) const {
    if (!ci_ || !ci_->contains(p) || !(*ci_)[p].is_number()) return std::nullopt;
    return (*ci_)[p].get<double>();
  }

  std::string count(const Json::json_pointer& p) const { return show(p, {1.0, "", 0, true}); }
  std::string percent(const Json::json_pointer& p) const { return show(p, {100.0, "%", 2, false}); }
  std::string plain(const Json::json_pointer& p) const { return show(p, {1.0, "", 2, false}); }
  std::string seconds(const Json::json_pointer& p) const {
    const auto v = value(p);
    return v ? show(p, seconds_unit(*v)) : "-";
  }

  // How to print a figure: scale, suffix, decimals, thousands separators.
  struct Unit {
    double scale;
    const char* suffix;
    int decimals;
    bool grouped;
  };
  static Unit seconds_unit(double x) {
    if (x < 1e-3) return {1e6, " µs", 0, false};
    if (x < 1.0) return {1e3, " ms", 0, false};
    if (x < 60.0) return {1.0, " s", 2, false};
    return {1.0 / 60.0, " min", 1, false};
  }
  static std::string grouped(double x) {
    const auto n = static_cast<long long>(std::llround(x));
    const std::string digits = std::to_string(std::llabs(n));
    std::string out = n < 0 ? "-" : "";
    for (std::size_t i = 0; i < digits.size(); ++i) {
      if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
      out += digits[i];
    }
    return out;
  }
  // "81±0.26 ms": the half-width in the value's unit, to two significant digits.
  static std::string render(double v, std::optional<double> h, const Unit& u) {
    const double x = v * u.scale;
    const bool whole = std::abs(x - std::round(x)) < 1e-9;
    std::string s = u.grouped && (whole || std::abs(x) >= 1000) ? grouped(x)
                    : u.grouped                                 ? fmt::format("{:.1f}", x)
                                : fmt::format("{:.{}f}", x, u.decimals);
    if (h && *h > 1e-9 * std::abs(v)) {  // below that, rounding noise of identical values
      const double hx = *h * u.scale;
      s += "±" + (hx >= 10.0 ? grouped(hx) : fmt::format("{:.2g}", hx));
    }
    return s + u.suffix;
  }
  static std::string fmt_seconds(double x) { return render(x, std::nullopt, seconds_unit(x)); }
  static std::string fmt_percent(double x) {
    return render(x, std::nullopt, {100.0, "%", 2, false});
  }

 private:
  std::string show(const Json::json_pointer& p, const Unit& unit) const {
    const auto v = value(p);
    return v ? render(*v, half_width(p), unit) : "-";
  }

  const Json& summary_;
  const Json* ci_;
};

Json::json_pointer ptr(const std::string& path) {
  return Json::json_pointer(path);
}

// JSON pointer tokens escape '/' and '~'; our names cannot contain them, dots are fine.
std::string key(const std::string& name) {
  return "/" + name;
}

}  // namespace

std::string text_report(const Json& s) {
  const Figures f(s);
  std::string out;
  const int replications = s.value("replications", 1);
  const double duration = s.value("duration_s", 0.0);
  out += fmt::format("surgesim · {} · {} replication{} · seed {} · {} simulated",
                     s.value("scenario", ""), replications, replications == 1 ? "" : "s",
                     s.value("seed", 0), Figures::fmt_seconds(duration));
  if (s.value("warmup_s", 0.0) > 0)
    out += fmt::format(" (warm-up {})", Figures::fmt_seconds(s["warmup_s"]));
  out += "\n";
  if (replications > 1)
    out += "Figures are means over replications ± 95% confidence half-widths.\n";
  out += "\n";

  out += fmt::format("Sessions: {} started, {} completed, {} dropped — drop rate {}\n\n",
                     f.count(ptr("/sessions/started")), f.count(ptr("/sessions/completed")),
                     f.count(ptr("/sessions/dropped")), f.percent(ptr("/drop_rate")));

  const double dropped = f.value(ptr("/sessions/dropped")).value_or(0.0);
  if (dropped > 0) {
    out += "Drop-offs by cause\n";
    TextTable causes({"cause", "sessions", "share"});
    for (const std::string_view cause : kCauseNames) {
      const auto p = ptr("/sessions/by_cause/" + std::string(cause));
      const double n = f.value(p).value_or(0.0);
      if (n <= 0) continue;
      causes.add({std::string(cause), f.count(p), Figures::fmt_percent(n / dropped)});
    }
    out += causes.render() + "\n";
  }

  if (s.contains("journeys")) {
    out += "Journeys\n";
    TextTable t({"journey", "sessions", "completed", "dropped", "drop rate"});
    for (const auto& [name, _] : s["journeys"].items()) {
      const std::string base = "/journeys" + key(name);
      t.add({name, f.count(ptr(base + "/sessions")), f.count(ptr(base + "/completed")),
             f.count(ptr(base + "/dropped")), f.percent(ptr(base + "/drop_rate"))});
    }
    out += t.render() + "\n";
  }

  if (s.contains("pages")) {
    out += "Pages (response times as shoppers saw them, successes only)\n";
    TextTable t({"page", "requests", "success", "mean", "p50", "p95", "p99"});
    for (const auto& [name, _] : s["pages"].items()) {
      const std::string base = "/pages" + key(name);
      t.add({name, f.count(ptr(base + "/requests")), f.count(ptr(base + "/success")),
             f.seconds(ptr(base + "/mean_s")), f.seconds(ptr(base + "/p50_s")),
             f.seconds(ptr(base + "/p95_s")), f.seconds(ptr(base + "/p99_s"))});
    }
    out += t.render() + "\n";
  }

  if (s.contains("services")) {
    out += "Services\n";
    TextTable t({"service", "arrivals", "completed", "rejected", "timeouts", "abandoned", "wasted",
                 "util", "wait", "mean", "p95", "p99", "queue", "instances"});
    for (const auto& [name, _] : s["services"].items()) {
      const std::string base = "/services" + key(name);
      t.add({name, f.count(ptr(base + "/arrivals")), f.count(ptr(base + "/completed")),
             f.count(ptr(base + "/rejected")), f.count(ptr(base + "/timeouts")),
             f.count(ptr(base + "/abandoned")), f.count(ptr(base + "/wasted")),
             f.percent(ptr(base + "/utilization")), f.seconds(ptr(base + "/mean_wait_s")),
             f.seconds(ptr(base + "/mean_response_s")), f.seconds(ptr(base + "/p95_s")),
             f.seconds(ptr(base + "/p99_s")), f.plain(ptr(base + "/mean_queue")),
             f.plain(ptr(base + "/mean_instances"))});
    }
    out += t.render();
  }
  return out;
}

}  // namespace surgesim::models
