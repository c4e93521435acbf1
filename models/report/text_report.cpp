#include "models/report/text_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "models/json_members.hpp"
#include "models/report/table.hpp"
#include "models/services/cause.hpp"

namespace surgesim::models {
namespace {

// "1,234,567.50": fixed decimals, thousands separators in the integer part.
std::string grouped(double x, int decimals) {
  const std::string digits = fmt::format("{:.{}f}", std::abs(x), decimals);
  const bool negative = x < 0 && digits.find_first_not_of("0.") != std::string::npos;
  const std::size_t int_end = std::min(digits.find('.'), digits.size());
  std::string out = negative ? "-" : "";
  for (std::size_t i = 0; i < int_end; ++i) {
    if (i > 0 && (int_end - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out + digits.substr(int_end);
}

// A half-width to two significant digits: "0.26", "1,200", "12,000,000".
std::string two_significant(double h) {
  if (h < 10.0) return fmt::format("{:.2g}", h);
  const double step = std::pow(10.0, std::floor(std::log10(h)) - 1.0);
  return grouped(std::round(h / step) * step, 0);
}

// How to print a figure: scale, text around it and how to write the digits.
struct Unit {
  enum class Digits {
    fixed,    // `decimals` decimals
    grouped,  // thousands separators and `decimals` decimals
    count,    // a count: whole when it is (or is large), else a mean with one decimal
  };
  double scale = 1.0;
  std::string prefix;
  std::string suffix;
  int decimals = 0;
  Digits digits = Digits::fixed;
};

Unit count_unit() {
  return {1.0, "", "", 0, Unit::Digits::count};
}
Unit percent_unit() {
  return {100.0, "", "%", 2, Unit::Digits::fixed};
}
Unit seconds_unit(double x) {
  if (x < 1e-3) return {1e6, "", " µs", 0, Unit::Digits::fixed};
  if (x < 1.0) return {1e3, "", " ms", 0, Unit::Digits::fixed};
  if (x < 60.0) return {1.0, "", " s", 2, Unit::Digits::fixed};
  return {1.0 / 60.0, "", " min", 1, Unit::Digits::fixed};
}
Unit money_unit(const std::string& currency) {
  // NOTE: rupiah have no minor unit in practice (prices are whole thousands).
  if (currency == "IDR") return {1.0, "Rp ", "", 0, Unit::Digits::grouped};
  return {1.0, "", " " + currency, 2, Unit::Digits::grouped};
}

// "81±0.26 ms": the half-width in the value's unit, to two significant digits.
std::string render(double v, std::optional<double> h, const Unit& u) {
  const double x = v * u.scale;
  std::string s;
  switch (u.digits) {
    case Unit::Digits::fixed:
      s = fmt::format("{:.{}f}", x, u.decimals);
      break;
    case Unit::Digits::grouped:
      s = grouped(x, u.decimals);
      break;
    case Unit::Digits::count:
      s = std::abs(x - std::round(x)) < 1e-9 || std::abs(x) >= 1000 ? grouped(x, 0) : grouped(x, 1);
      break;
  }
  if (h && *h > 1e-9 * std::abs(v)) s += "±" + two_significant(*h * u.scale);  // else noise
  return u.prefix + s + u.suffix;
}

// A limit as written, without trailing zeros: "2 s", "250 ms", "5%", "2.5%".
std::string render_limit(double x, const Unit& u) {
  return u.prefix + fmt::format("{:g}", x * u.scale) + u.suffix;
}

// Reads numbers from the summary by JSON pointer and, when there are replications, their
// half-widths from the "ci95" tree of the same shape.
class Figures {
 public:
  explicit Figures(const Json& summary)
      : summary_(summary),
        ci_(summary.contains("ci95") ? &summary["ci95"] : nullptr),
        money_(money_unit(summary.value("currency", "IDR"))) {}

  // The figures of member `index` of summary[group] (a page, a service...), read with
  // paths inside it: a table of n entries then costs n lookups, not n^2.
  Figures entry(const std::string& group, std::size_t index) const {
    const Json& own = member_at(summary_[group], index).second;
    const Json* ci = nullptr;
    if (ci_ && ci_->contains(group) && index < (*ci_)[group].size()) {
      const auto& [name, half_widths] = member_at((*ci_)[group], index);
      if (name == member_at(summary_[group], index).first) ci = &half_widths;
    }
    return Figures(own, ci, money_);
  }

  bool has(const std::string& path) const { return summary_.contains(Json::json_pointer(path)); }
  std::optional<double> value(const std::string& path) const {
    const Json::json_pointer p(path);
    if (!summary_.contains(p) || !summary_[p].is_number()) return std::nullopt;
    return summary_[p].get<double>();
  }
  std::optional<double> half_width(const std::string& path) const {
    const Json::json_pointer p(path);
    if (!ci_ || !ci_->contains(p) || !(*ci_)[p].is_number()) return std::nullopt;
    return (*ci_)[p].get<double>();
  }

  std::string count(const std::string& path) const { return show(path, count_unit()); }
  std::string percent(const std::string& path) const { return show(path, percent_unit()); }
  std::string plain(const std::string& path) const {
    return show(path, {1.0, "", "", 2, Unit::Digits::fixed});
  }
  std::string money(const std::string& path) const { return show(path, money_); }
  std::string seconds(const std::string& path) const {
    const auto v = value(path);
    return v ? show(path, seconds_unit(*v)) : "-";
  }

 private:
  Figures(const Json& tree, const Json* ci, Unit money)
      : summary_(tree), ci_(ci), money_(std::move(money)) {}

  std::string show(const std::string& path, const Unit& unit) const {
    const auto v = value(path);
    return v ? render(*v, half_width(path), unit) : "-";
  }

  const Json& summary_;
  const Json* ci_;
  Unit money_;
};

// JSON pointer tokens escape '/' and '~'; our names cannot contain them, dots are fine.
std::string key(const std::string& name) {
  return "/" + name;
}

std::string share(double part, double whole) {
  return render(part / whole, std::nullopt, percent_unit());
}

// --- tables of named entries (journeys, pages, services) -----------------------------

enum class Kind { count, percent, seconds, plain, money };

struct Column {
  std::string header;
  std::string field;
  Kind kind;
  bool only_if_nonzero = false;  // leave out a column that is zero everywhere (cost)
};

std::string cell(const Figures& f, const std::string& path, Kind kind) {
  switch (kind) {
    case Kind::count:
      return f.count(path);
    case Kind::percent:
      return f.percent(path);
    case Kind::seconds:
      return f.seconds(path);
    case Kind::money:
      return f.money(path);
    case Kind::plain:
      break;
  }
  return f.plain(path);
}

// One row per entry of summary[group]; a column appears when some entry has its field
// (and, for only_if_nonzero, a non-zero value).
std::string entry_table(const Json& s, const Figures& f, const std::string& group,
                        const std::string& first_header, const std::vector<Column>& columns) {
  std::vector<Figures> entries;
  for (std::size_t i = 0; i < s[group].size(); ++i) entries.push_back(f.entry(group, i));
  std::vector<const Column*> shown;
  for (const Column& c : columns) {
    bool keep = false;
    for (const Figures& e : entries) {
      const std::string path = "/" + c.field;
      keep = keep || (c.only_if_nonzero ? e.value(path).value_or(0.0) != 0.0 : e.has(path));
    }
    if (keep) shown.push_back(&c);
  }
  std::vector<std::string> header = {first_header};
  for (const Column* c : shown) header.push_back(c->header);
  TextTable t(std::move(header));
  std::size_t i = 0;
  for (const auto& [name, _] : s[group].items()) {
    std::vector<std::string> row = {name};
    for (const Column* c : shown) row.push_back(cell(entries[i], "/" + c->field, c->kind));
    t.add(std::move(row));
    ++i;
  }
  return t.render();
}

// --- sections -----------------------------------------------------------------------

// The run's clock, when its summary has a `start`.
std::optional<StartClock> run_clock(const Json& s) {
  const Json start = s.value("start", Json());
  return start.is_string() ? parse_start(start.get<std::string>()) : std::nullopt;
}

std::string headline(const Json& s) {
  const int replications = s.value("replications", 1);
  const auto span = [](double seconds) {
    return render(seconds, std::nullopt, seconds_unit(seconds));
  };
  const double duration = s.value("duration_s", 0.0);
  const Json window = s.value("window", Json());
  const double from = window.is_object() ? window.value("from_s", 0.0) : 0.0;
  const double to = window.is_object() ? window.value("to_s", duration) : duration;
  std::string out = fmt::format("surgesim · {} · {} replication{} · seed {} · {} simulated",
                                s.value("scenario", ""), replications, replications == 1 ? "" : "s",
                                s.value("seed", std::uint64_t{0}), span(to - from));
  const std::optional<StartClock> clock = run_clock(s);
  const StartClock* start = clock ? &*clock : nullptr;
  if (window.is_object()) {
    const double shift = start ? start->seconds_of_day : 0.0;
    const bool seconds = std::fmod(from + shift, 60.0) != 0.0 || std::fmod(to + shift, 60.0) != 0.0;
    out += fmt::format(", {} to {}{} (a window of the {} scenario)",
                       format_time(from, seconds, start), format_time(to, seconds, start),
                       start ? "" : " from the start", span(duration));
  } else if (start) {
    out += " from " + clock->text;
  }
  const double warmup = s.value("warmup_s", 0.0);
  if (warmup > 0) out += " (warm-up " + render(warmup, std::nullopt, seconds_unit(warmup)) + ")";
  out += "\n";
  if (replications > 1)
    out += "Figures are means over replications ± 95% confidence half-widths.\n";
  return out + "\n";
}

// docs/scenario.md: a saturated run says so above everything else, with what the other
// figures leave out (shoppers still queued when the run stopped).
std::string saturation_section(const Json& s, const Figures& f) {
  if (!s.value("saturated", false)) return "";
  std::string out =
      "SATURATED: the shop cannot keep up. Requests were still queued when the run ended,\n"
      "and the figures below count none of the sessions that were waiting for them.\n";
  for (const Json& name : s.value("saturated_services", Json::array())) {
    // The waiting room holds sessions, not requests, and lives beside the services.
    const bool room = name == "waiting_room" && f.has("/waiting_room");
    const std::string service = room ? "/waiting_room" : "/services" + key(name.get<std::string>());
    out += fmt::format("  {}: {} {} waiting", name.get<std::string>(),
                       f.count(service + "/queue_at_end"), room ? "sessions" : "requests");
    const auto drain = f.value(service + "/drain_s");
    if (!drain) {
      out += "; it completed nothing in the last bucket\n";
      continue;
    }
    // Drains are long by definition: hours read better than hundreds of minutes.
    const std::string work = *drain >= 3600.0 ? fmt::format("{:.1f} h", *drain / 3600.0)
                                              : f.seconds(service + "/drain_s");
    out += ", " + work + " of work at the pace of its last bucket\n";
  }
  const auto unfinished = f.value("/sessions/unfinished");
  const auto started = f.value("/sessions/started");
  if (unfinished && started && *started > 0) {
    out += fmt::format("  {} of {} sessions started ({}) had not finished\n",
                       f.count("/sessions/unfinished"), f.count("/sessions/started"),
                       share(*unfinished, *started));
  }
  return out + "\n";
}

std::string sessions_section(const Figures& f) {
  // Older summaries (and result files) have no `unfinished`.
  const std::string unfinished =
      f.has("/sessions/unfinished") ? ", " + f.count("/sessions/unfinished") + " unfinished" : "";
  std::string out =
      fmt::format("Sessions: {} started, {} completed, {} dropped{} — drop rate {}\n\n",
                  f.count("/sessions/started"), f.count("/sessions/completed"),
                  f.count("/sessions/dropped"), unfinished, f.percent("/drop_rate"));
  const double dropped = f.value("/sessions/dropped").value_or(0.0);
  if (dropped <= 0) return out;
  out += "Drop-offs by cause\n";
  TextTable causes({"cause", "sessions", "share"});
  for (const std::string_view cause : kCauseNames) {
    const std::string path = "/sessions/by_cause/" + std::string(cause);
    const double n = f.value(path).value_or(0.0);
    if (n > 0) causes.add({std::string(cause), f.count(path), share(n, dropped)});
  }
  return out + causes.render() + "\n";
}

// Lost revenue split by the keys of lost_revenue[part] ("by_cause" or "by_service").
std::string lost_table(const Json& s, const Figures& f, const std::string& part,
                       const std::string& header, double total) {
  const Json::json_pointer p("/lost_revenue/" + part);
  if (!s.contains(p) || !s[p].is_object()) return "";
  TextTable t({header, "lost", "share"});
  bool any = false;
  for (const auto& [name, _] : s[p].items()) {
    const std::string path = "/lost_revenue/" + part + key(name);
    const double lost = f.value(path).value_or(0.0);
    if (lost <= 0) continue;
    t.add({name, f.money(path), share(lost, total)});
    any = true;
  }
  return any ? t.render() : "";
}

std::string revenue_section(const Json& s, const Figures& f) {
  std::string out;
  if (f.has("/orders") || f.has("/revenue")) {
    out += fmt::format("Orders: {} — revenue {}\n", f.count("/orders"), f.money("/revenue"));
  }
  const auto lost = f.value("/lost_revenue/total");
  if (lost) {
    out += "Lost revenue: " + f.money("/lost_revenue/total");
    const double at_stake = *lost + f.value("/revenue").value_or(0.0);
    if (at_stake > 0) out += " (" + share(*lost, at_stake) + " of revenue + lost revenue)";
    out += "\n";
    if (*lost > 0) {
      const std::string by_cause = lost_table(s, f, "by_cause", "cause", *lost);
      const std::string by_service = lost_table(s, f, "by_service", "service", *lost);
      if (!by_cause.empty()) out += "\nLost revenue by cause\n" + by_cause;
      if (!by_service.empty()) out += "\nLost revenue by service\n" + by_service;
    }
  }
  return out.empty() ? out : out + "\n";
}

// One line for the waiting room, when the run had one.
std::string waiting_room_section(const Figures& f) {
  if (!f.has("/waiting_room")) return "";
  const double arrivals = f.value("/waiting_room/arrivals").value_or(0.0);
  const std::string left_share =
      arrivals > 0 ? " (" + share(f.value("/waiting_room/left").value_or(0.0), arrivals) + ")" : "";
  // Time averages: two decimals while small, whole sessions with separators when large.
  const auto average = [&](const std::string& path) {
    return f.value(path).value_or(0.0) >= 1000.0 ? f.count(path) : f.plain(path);
  };
  return fmt::format(
      "Waiting room: {} arrivals, {} admitted, {} left{} — wait mean {}, p95 {} (admitted); "
      "{} waiting and {} active on average\n\n",
      f.count("/waiting_room/arrivals"), f.count("/waiting_room/admitted"),
      f.count("/waiting_room/left"), left_share, f.seconds("/waiting_room/mean_wait_s"),
      f.seconds("/waiting_room/p95_wait_s"), average("/waiting_room/mean_waiting"),
      average("/waiting_room/mean_active"));
}

std::string latency_section(const Figures& f) {
  if (!f.has("/latency")) return "";
  std::string out = fmt::format("Page responses: {} requests, {} failed",
                                f.count("/latency/requests"), f.count("/latency/failed"));
  const double requests = f.value("/latency/requests").value_or(0.0);
  if (requests > 0) out += " (" + share(f.value("/latency/failed").value_or(0.0), requests) + ")";
  return out + fmt::format(" — mean {}, p50 {}, p95 {}, p99 {} (successes)\n\n",
                           f.seconds("/latency/mean_s"), f.seconds("/latency/p50_s"),
                           f.seconds("/latency/p95_s"), f.seconds("/latency/p99_s"));
}

std::string tables_section(const Json& s, const Figures& f) {
  std::string out;
  if (s.contains("journeys")) {
    out += "Journeys\n" +
           entry_table(s, f, "journeys", "journey",
                       {{"sessions", "sessions", Kind::count},
                        {"completed", "completed", Kind::count},
                        {"dropped", "dropped", Kind::count},
                        {"drop rate", "drop_rate", Kind::percent},
                        {"orders", "orders", Kind::count},
                        {"revenue", "revenue", Kind::money},
                        {"lost revenue", "lost_revenue", Kind::money}}) +
           "\n";
  }
  if (s.contains("pages")) {
    out += "Pages (response times as shoppers saw them, successes only)\n" +
           entry_table(s, f, "pages", "page",
                       {{"requests", "requests", Kind::count},
                        {"success", "success", Kind::count},
                        {"failed", "failed", Kind::count},
                        {"dropped", "dropped", Kind::count},
                        {"mean", "mean_s", Kind::seconds},
                        {"p50", "p50_s", Kind::seconds},
                        {"p95", "p95_s", Kind::seconds},
                        {"p99", "p99_s", Kind::seconds}}) +
           "\n";
  }
  if (s.contains("services")) {
    out += "Services\n" +
           entry_table(s, f, "services", "service",
                       {{"arrivals", "arrivals", Kind::count},
                        {"completed", "completed", Kind::count},
                        {"rejected", "rejected", Kind::count},
                        {"timeouts", "timeouts", Kind::count},
                        {"errors", "errors", Kind::count},
                        {"abandoned", "abandoned", Kind::count},
                        {"wasted", "wasted", Kind::count},
                        {"util", "utilization", Kind::percent},
                        {"wait", "mean_wait_s", Kind::seconds},
                        {"mean", "mean_response_s", Kind::seconds},
                        {"p95", "p95_s", Kind::seconds},
                        {"p99", "p99_s", Kind::seconds},
                        {"queue", "mean_queue", Kind::plain},
                        {"instances", "mean_instances", Kind::plain, true},
                        {"cost", "cost", Kind::money, true}}) +
           "\n";
  }
  return out;
}

// --- SLOs ---------------------------------------------------------------------------

bool is_latency(const std::string& metric) {
  return metric.starts_with("latency_");
}

Unit slo_unit(const std::string& metric, double x) {
  return is_latency(metric) ? seconds_unit(x) : percent_unit();
}

// "p99", "mean", "drop rate", "error rate", "utilization".
std::string metric_words(const std::string& metric) {
  if (metric == "latency_mean") return "mean";
  if (is_latency(metric)) return metric.substr(std::string("latency_").size());
  std::string words = metric;
  std::replace(words.begin(), words.end(), '_', ' ');
  return words;
}

// What failed, as in "page p99 > 2 s": the scope's kind, then the metric and the bound.
std::string failure_words(const Json& slo) {
  const std::string metric = slo.value("metric", "");
  const std::string scope = slo.value("scope", "");
  std::string subject = scope.substr(0, scope.find('.'));
  if (subject == "all") subject = is_latency(metric) ? "page" : "";
  const double limit = slo.value("limit", 0.0);
  const bool is_max = slo.value("bound", "max") == "max";
  return (subject.empty() ? "" : subject + " ") + metric_words(metric) + (is_max ? " > " : " < ") +
         render_limit(limit, slo_unit(metric, limit));
}

bool on_whole_minutes(const Json& slos, const StartClock* start) {
  const double offset = start ? start->seconds_of_day : 0.0;
  for (const Json& slo : slos) {
    for (const Json& range : slo.value("failed_ranges", Json::array())) {
      for (const Json& t : range) {
        const double s = t.get<double>() + offset;
        if (std::abs(s / 60.0 - std::round(s / 60.0)) > 1e-9) return false;
      }
    }
  }
  return true;
}

std::string slo_section(const Json& s) {
  if (!s.contains("slo") || !s["slo"].is_array() || s["slo"].empty()) return "";
  const Json& slos = s["slo"];
  const auto met = std::count_if(slos.begin(), slos.end(),
                                 [](const Json& slo) { return slo.value("ok", false); });
  std::string out = fmt::format("SLOs: {} of {} met\n", met, slos.size());
  TextTable t({"", "SLO", "metric", "scope", "whole run", "limit", "failed buckets"}, 4);
  for (const Json& slo : slos) {
    const std::string metric = slo.value("metric", "");
    const double limit = slo.value("limit", 0.0);
    const Json& value = slo.contains("value") ? slo["value"] : Json();
    const bool is_max = slo.value("bound", "max") == "max";
    t.add({slo.value("ok", false) ? "PASS" : "FAIL", slo.value("name", ""), metric,
           slo.value("scope", ""),
           value.is_number()
               ? render(value.get<double>(), std::nullopt, slo_unit(metric, value.get<double>()))
               : "-",
           (is_max ? "≤ " : "≥ ") + render_limit(limit, slo_unit(metric, limit)),
           std::to_string(slo.value("failed_buckets", 0))});
  }
  out += t.render();

  // HH:MM is exact when every range starts and ends on a minute; else seconds too.
  const std::optional<StartClock> clock = run_clock(s);
  const StartClock* start = clock ? &*clock : nullptr;
  const bool with_seconds = !on_whole_minutes(slos, start);
  constexpr std::size_t kMaxRanges = 10;
  for (const Json& slo : slos) {
    const Json ranges = slo.value("failed_ranges", Json::array());
    if (ranges.empty()) continue;
    out += "  " + slo.value("name", "") + ": " + failure_words(slo);
    for (std::size_t i = 0; i < std::min(ranges.size(), kMaxRanges); ++i) {
      out += fmt::format("{} from {} to {}", i == 0 ? "" : ",",
                         format_time(ranges[i][0].get<double>(), with_seconds, start),
                         format_time(ranges[i][1].get<double>(), with_seconds, start));
    }
    if (ranges.size() > kMaxRanges) {
      out += fmt::format(" and {} more ranges", ranges.size() - kMaxRanges);
    }
    out += "\n";
  }
  return out;
}

}  // namespace

std::string format_money(double amount, const std::string& currency,
                         std::optional<double> half_width) {
  return render(amount, half_width, money_unit(currency));
}

std::string format_time(double t_s, bool with_seconds, const StartClock* start) {
  if (start) return clock_text(*start, t_s, with_seconds);
  const long long total = std::llround(t_s);
  const long long hours = total / 3600, minutes = total / 60 % 60, seconds = total % 60;
  return with_seconds ? fmt::format("{:02}:{:02}:{:02}", hours, minutes, seconds)
                      : fmt::format("{:02}:{:02}", hours, minutes);
}

std::string text_report(const Json& s) {
  const Figures f(s);
  std::string out = saturation_section(s, f) + headline(s) + sessions_section(f) +
                    waiting_room_section(f) + revenue_section(s, f) + latency_section(f) +
                    tables_section(s, f) + slo_section(s);
  while (out.ends_with("\n\n")) out.pop_back();
  return out;
}

}  // namespace surgesim::models
