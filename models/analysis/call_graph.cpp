#include "models/analysis/call_graph.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/filtered_graph.hpp>
#include <boost/graph/reverse_graph.hpp>
#include <boost/graph/topological_sort.hpp>
#include <iterator>
#include <map>
#include <optional>

namespace surgesim::models {
namespace {

using Graph = CallGraphStorage;
using EdgeId = Graph::edge_descriptor;
using Colors = std::vector<boost::default_color_type>;

// Keeps the live edges of the kinds asked for.
struct EdgeKinds {
  const Graph* graph = nullptr;
  std::vector<CallEdgeKind> kinds;
  bool operator()(const EdgeId& e) const {
    const CallEdge& edge = (*graph)[e];
    return is_live(edge) && std::find(kinds.begin(), kinds.end(), edge.kind) != kinds.end();
  }
};

// Keeps the live `next` edges of the reversed graph.
struct ReversedNext {
  const boost::reverse_graph<Graph>* graph = nullptr;
  template <class ReversedEdge>
  bool operator()(const ReversedEdge& e) const {
    const CallEdge& edge = (*graph)[e];
    return edge.kind == CallEdgeKind::next && is_live(edge);
  }
};

// Keeps the service vertices (for walking the service-to-service part alone).
struct ServicesOnly {
  const Graph* graph = nullptr;
  bool operator()(CallVertexId v) const { return (*graph)[v].kind == CallVertexKind::service; }
};

EdgeKinds page_walk(const Graph& g) {
  return {&g, {CallEdgeKind::start, CallEdgeKind::next}};
}
EdgeKinds service_calls(const Graph& g) {
  return {&g, {CallEdgeKind::calls, CallEdgeKind::miss}};
}

// Marks (non-white) every vertex reachable from `sources`, sharing one colour map.
template <class G>
Colors reach(const G& g, std::size_t vertices, const std::vector<CallVertexId>& sources) {
  Colors colors(vertices, boost::white_color);
  auto color_map = boost::make_iterator_property_map(colors.begin(), get(boost::vertex_index, g));
  boost::queue<CallVertexId> queue;
  for (const CallVertexId s : sources) {
    if (colors[s] == boost::white_color) {
      boost::breadth_first_visit(g, s, queue, boost::default_bfs_visitor(), color_map);
    }
  }
  return colors;
}

std::optional<std::size_t> service_index(const Scenario& scenario, const std::string& name) {
  for (std::size_t s = 0; s < scenario.services.size(); ++s) {
    if (scenario.services[s].name == name) return s;
  }
  return std::nullopt;
}

// Records where a DFS came from and the first edge that closes a loop.
struct CycleFinder : boost::default_dfs_visitor {
  std::map<CallVertexId, CallVertexId>* parent;
  std::optional<EdgeId>* closing;
  template <class G>
  void tree_edge(const EdgeId& e, const G& g) const {
    (*parent)[target(e, g)] = source(e, g);
  }
  template <class G>
  void back_edge(const EdgeId& e, const G&) const {
    if (!*closing) *closing = e;
  }
};

// DOT identifiers: names are letters, digits, '_' and '-', so quoting is enough.
std::string dot_id(const Scenario& scenario, const CallVertex& v) {
  switch (v.kind) {
    case CallVertexKind::journey:
      return "\"journey:" + scenario.journeys[v.journey].name + "\"";
    case CallVertexKind::page:
      return "\"page:" + scenario.journeys[v.journey].name + "." +
             scenario.journeys[v.journey].pages[v.index].name + "\"";
    case CallVertexKind::exit:
      return "\"exit:" + scenario.journeys[v.journey].name + "\"";
    case CallVertexKind::service:
      break;
  }
  return "\"service:" + scenario.services[v.index].name + "\"";
}

// Free text inside a quoted DOT string.
std::string dot_escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

// "optional, retry 3 (100 ms x2, jitter 0.5), breaker (50% of 20 in 10 s, open 30 s)";
// empty for a plain call.
std::string options_text(const CallOptions& o) {
  std::vector<std::string> parts;
  if (o.optional) parts.emplace_back("optional");
  if (o.retry.max > 0) {
    std::string retry = fmt::format("retry {} ({:g} s", o.retry.max, o.retry.backoff);
    if (o.retry.multiplier != 1.0) retry += fmt::format(" x{:g}", o.retry.multiplier);
    if (o.retry.jitter > 0.0) retry += fmt::format(", jitter {:g}", o.retry.jitter);
    parts.push_back(retry + ")");
  }
  if (o.breaker) {
    parts.push_back(fmt::format("breaker ({:g}% of {} in {:g} s, open {:g} s)",
                                100.0 * o.breaker->failure_rate, o.breaker->min_calls,
                                o.breaker->window, o.breaker->open_for));
  }
  std::string text;
  for (const std::string& part : parts) text += (text.empty() ? "" : ", ") + part;
  return text;
}

// A service's call edge: its probability and options; optional calls dotted.
std::string call_label(const CallEdge& edge, const Callee& callee) {
  const std::string options = options_text(callee.options);
  const std::string p =
      fmt::format("{}{:.3g}", edge.kind == CallEdgeKind::miss ? "miss " : "", edge.p);
  return fmt::format(" [label=\"{}{}\"{}]", p, options.empty() ? "" : "\\n" + options,
                     callee.options.optional ? ", style=dotted" : "");
}

std::string edge_label(const CallEdge& edge) {
  switch (edge.kind) {
    case CallEdgeKind::next:
    case CallEdgeKind::calls:
      return fmt::format(" [label=\"{:.3g}\"]", edge.p);
    case CallEdgeKind::miss:
      return fmt::format(" [label=\"miss {:.3g}\"]", edge.p);
    case CallEdgeKind::start:
    case CallEdgeKind::call:
      break;
  }
  return "";
}

}  // namespace

bool is_live(const CallEdge& edge) {
  return edge.kind == CallEdgeKind::miss || edge.p > 0.0;
}

CallGraph build_call_graph(const Scenario& scenario) {
  CallGraph cg;
  Graph& g = cg.graph;
  for (std::size_t s = 0; s < scenario.services.size(); ++s) {
    cg.services.push_back(add_vertex(CallVertex{CallVertexKind::service, 0, s}, g));
  }
  auto link = [&](CallVertexId from, CallVertexId to, CallEdgeKind kind, double p,
                  std::size_t call = 0) {
    add_edge(from, to, CallEdge{kind, p, call}, g);
  };

  for (std::size_t j = 0; j < scenario.journeys.size(); ++j) {
    const JourneyConfig& journey = scenario.journeys[j];
    cg.journeys.push_back(add_vertex(CallVertex{CallVertexKind::journey, j, 0}, g));
    cg.exits.push_back(add_vertex(CallVertex{CallVertexKind::exit, j, 0}, g));
    std::map<std::string, CallVertexId> by_name = {{std::string(kExit), cg.exits.back()}};
    cg.pages.emplace_back();
    for (std::size_t p = 0; p < journey.pages.size(); ++p) {
      cg.pages.back().push_back(add_vertex(CallVertex{CallVertexKind::page, j, p}, g));
      by_name[journey.pages[p].name] = cg.pages.back().back();
    }
    link(cg.journeys.back(), by_name.at(journey.start), CallEdgeKind::start, 1.0);
    for (std::size_t p = 0; p < journey.pages.size(); ++p) {
      const PageConfig& page = journey.pages[p];
      for (const auto& [target, prob] : page.next) {
        link(cg.pages[j][p], by_name.at(target), CallEdgeKind::next, prob);
      }
      if (const auto s = service_index(scenario, page.call)) {
        link(cg.pages[j][p], cg.services[*s], CallEdgeKind::call, 1.0);
      } else {
        cg.unknown.push_back({CallVertexKind::page, j, p, 0, page.call});
      }
    }
  }

  for (std::size_t s = 0; s < scenario.services.size(); ++s) {
    const std::vector<Callee> all = callees(scenario.services[s]);
    for (std::size_t c = 0; c < all.size(); ++c) {
      const CallEdgeKind kind =
          all[c].kind == CalleeKind::miss ? CallEdgeKind::miss : CallEdgeKind::calls;
      if (const auto to = service_index(scenario, all[c].to)) {
        link(cg.services[s], cg.services[*to], kind, all[c].p, c);
      } else {
        cg.unknown.push_back({CallVertexKind::service, 0, s, c, all[c].to});
      }
    }
  }
  return cg;
}

std::vector<std::size_t> find_call_cycle(const CallGraph& cg) {
  const Graph& g = cg.graph;
  const boost::filtered_graph<Graph, EdgeKinds, ServicesOnly> calls(g, service_calls(g),
                                                                    ServicesOnly{&g});
  std::map<CallVertexId, CallVertexId> parent;
  std::optional<EdgeId> closing;
  CycleFinder finder;
  finder.parent = &parent;
  finder.closing = &closing;
  Colors colors(num_vertices(g), boost::white_color);
  boost::depth_first_search(
      calls, boost::visitor(finder).color_map(
                 boost::make_iterator_property_map(colors.begin(), get(boost::vertex_index, g))));
  if (!closing) return {};
  // The closing edge u -> v goes back to v, an ancestor of u on the DFS path.
  const CallVertexId u = source(*closing, g);
  const CallVertexId v = target(*closing, g);
  std::vector<std::size_t> loop = {g[v].index};
  for (CallVertexId w = u; w != v; w = parent.at(w)) loop.push_back(g[w].index);
  loop.push_back(g[v].index);
  std::reverse(loop.begin(), loop.end());
  return loop;
}

std::vector<std::size_t> unreachable_pages(const CallGraph& cg, std::size_t journey) {
  const Graph& g = cg.graph;
  const boost::filtered_graph<Graph, EdgeKinds> walk(g, page_walk(g));
  const Colors seen = reach(walk, num_vertices(g), {cg.journeys.at(journey)});
  std::vector<std::size_t> out;
  for (std::size_t p = 0; p < cg.pages.at(journey).size(); ++p) {
    if (seen[cg.pages[journey][p]] == boost::white_color) out.push_back(p);
  }
  return out;
}

std::vector<std::size_t> pages_without_exit(const CallGraph& cg, std::size_t journey) {
  const Graph& g = cg.graph;
  // Walking `next` backwards from exit finds every page that leads there.
  const boost::reverse_graph<Graph> reversed(g);
  const boost::filtered_graph<boost::reverse_graph<Graph>, ReversedNext> back(
      reversed, ReversedNext{&reversed});
  const Colors seen = reach(back, num_vertices(g), {cg.exits.at(journey)});
  std::vector<std::size_t> out;
  for (std::size_t p = 0; p < cg.pages.at(journey).size(); ++p) {
    if (seen[cg.pages[journey][p]] == boost::white_color) out.push_back(p);
  }
  return out;
}

std::vector<std::size_t> unreached_services(const CallGraph& cg) {
  const Graph& g = cg.graph;
  const boost::filtered_graph<Graph, EdgeKinds> walk(
      g, EdgeKinds{&g,
                   {CallEdgeKind::start, CallEdgeKind::next, CallEdgeKind::call,
                    CallEdgeKind::calls, CallEdgeKind::miss}});
  const Colors seen = reach(walk, num_vertices(g), cg.journeys);
  std::vector<std::size_t> out;
  for (std::size_t s = 0; s < cg.services.size(); ++s) {
    if (seen[cg.services[s]] == boost::white_color) out.push_back(s);
  }
  return out;
}

std::vector<std::string> topological_services(const Scenario& scenario) {
  const CallGraph cg = build_call_graph(scenario);
  const Graph& g = cg.graph;
  const boost::filtered_graph<Graph, EdgeKinds, ServicesOnly> calls(g, service_calls(g),
                                                                    ServicesOnly{&g});
  // topological_sort emits vertices as they finish: every callee before its callers.
  std::vector<CallVertexId> order;
  boost::topological_sort(calls, std::back_inserter(order));
  std::vector<std::string> names;
  for (const CallVertexId v : order) names.push_back(scenario.services[g[v].index].name);
  return names;
}

std::string to_text(const Scenario& scenario) {
  std::string out = "Call graph\n";
  for (const JourneyConfig& journey : scenario.journeys) {
    std::string pages;
    for (const PageConfig& page : journey.pages) {
      pages += fmt::format("{}{} -> {}", pages.empty() ? "" : ", ", page.name, page.call);
    }
    out += fmt::format("  journey {}: {}\n", journey.name, pages);
  }
  for (const ServiceConfig& service : scenario.services) {
    std::string text;
    for (const Callee& callee : callees(service)) {
      const std::string options = options_text(callee.options);
      text += fmt::format("{}{} ({} {:.3g}{}{})", text.empty() ? "" : ", ", callee.to,
                          callee.kind == CalleeKind::miss ? "miss" : "p", callee.p,
                          options.empty() ? "" : "; ", options);
    }
    out += fmt::format("  {} [{}]{}{}\n", service.name, size_label(service),
                       text.empty() ? "" : " -> ", text);
  }
  return out;
}

std::string to_dot(const Scenario& scenario) {
  const CallGraph cg = build_call_graph(scenario);
  const Graph& g = cg.graph;
  auto id = [&](CallVertexId v) { return dot_id(scenario, g[v]); };
  std::string out = "digraph \"" + dot_escape(scenario.name) + "\" {\n";
  out += "  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\"];\n";
  for (std::size_t j = 0; j < scenario.journeys.size(); ++j) {
    const JourneyConfig& journey = scenario.journeys[j];
    out += fmt::format("  subgraph \"cluster_{}\" {{\n    label=\"{} (share {:.3g})\";\n",
                       journey.name, journey.name, journey.share);
    out += fmt::format("    {} [shape=ellipse, label=\"{}\"];\n", id(cg.journeys[j]), journey.name);
    for (std::size_t p = 0; p < journey.pages.size(); ++p) {
      const PageConfig& page = journey.pages[p];
      const std::string order = page.order_value ? ", peripheries=2" : "";
      out += fmt::format("    {} [shape=box, label=\"{}\"{}];\n", id(cg.pages[j][p]), page.name,
                         order);
    }
    out += fmt::format("    {} [shape=doublecircle, label=\"exit\"];\n", id(cg.exits[j]));
    // The walk inside the journey stays in its cluster.
    std::vector<CallVertexId> members = {cg.journeys[j]};
    members.insert(members.end(), cg.pages[j].begin(), cg.pages[j].end());
    for (const CallVertexId v : members) {
      for (const EdgeId e : boost::make_iterator_range(out_edges(v, g))) {
        if (g[e].kind == CallEdgeKind::call) continue;
        out += "    " + id(v) + " -> " + id(target(e, g)) + edge_label(g[e]) + ";\n";
      }
    }
    out += "  }\n";
  }
  for (std::size_t s = 0; s < scenario.services.size(); ++s) {
    const ServiceConfig& service = scenario.services[s];
    out += fmt::format("  {} [shape=component, label=\"{}\\n{}\"];\n", id(cg.services[s]),
                       service.name, size_label(service));
  }
  // Pages calling services, then services calling services.
  for (const EdgeId e : boost::make_iterator_range(edges(g))) {
    if (g[e].kind == CallEdgeKind::call) {
      out += "  " + id(source(e, g)) + " -> " + id(target(e, g)) + " [style=dashed];\n";
    }
  }
  for (const CallVertexId v : cg.services) {
    const std::vector<Callee> all = callees(scenario.services[g[v].index]);
    for (const EdgeId e : boost::make_iterator_range(out_edges(v, g))) {
      out += "  " + id(v) + " -> " + id(target(e, g)) + call_label(g[e], all[g[e].call]) + ";\n";
    }
  }
  return out + "}\n";
}

}  // namespace surgesim::models
