#pragma once

#include <boost/graph/adjacency_list.hpp>
#include <cstddef>
#include <string>
#include <vector>

#include "models/scenario.hpp"

// The call graph of a scenario (docs/design.md): journeys -> pages -> services -> downstream
// services, as a Boost.Graph graph. The loader checks the scenario reference's graph rules on it,
// the analytic estimate walks services callees first, `surgesim graph` draws it.
namespace surgesim::models {

enum class CallVertexKind { journey, page, exit, service };
// start: journey -> its start page; next: page -> page or exit; call: page -> service;
// calls: server pool -> service; miss: cache -> the service behind it.
enum class CallEdgeKind { start, next, call, calls, miss };

struct CallVertex {
  CallVertexKind kind = CallVertexKind::service;
  std::size_t journey = 0;  // journey, page and exit vertices: index in Scenario::journeys
  std::size_t index = 0;    // page: index in the journey's pages; service: in Scenario::services
};

struct CallEdge {
  CallEdgeKind kind = CallEdgeKind::call;
  double p = 1.0;        // next: its probability; calls: p; miss: 1 - hit_ratio; else 1
  std::size_t call = 0;  // calls, miss: index in the service type's callees
};

using CallGraphStorage =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, CallVertex, CallEdge>;
using CallVertexId = CallGraphStorage::vertex_descriptor;

// A `call`, `calls.to` or `miss.to` that names no service; it has no edge in the graph.
struct UnknownService {
  CallVertexKind from = CallVertexKind::page;  // page or service
  std::size_t journey = 0;                     // page: its journey
  std::size_t index = 0;                       // page or service index, as in CallVertex
  std::size_t call = 0;                        // index in the service type's callees
  std::string name;
};

struct CallGraph {
  CallGraphStorage graph;
  std::vector<CallVertexId> journeys;            // per journey
  std::vector<CallVertexId> exits;               // per journey: its 'exit'
  std::vector<std::vector<CallVertexId>> pages;  // per journey, per page
  std::vector<CallVertexId> services;            // per service
  std::vector<UnknownService> unknown;           // in file order: pages first, then services
};

// Builds the graph. Names in `next` and `start` must be valid (the journey loader checks
// them); unknown service names are collected in `unknown` rather than thrown.
CallGraph build_call_graph(const Scenario& scenario);

// Whether an edge can carry requests or sessions: `next` and `calls` with p > 0. A miss
// edge always can: during a cold start or a cache outage every lookup misses.
bool is_live(const CallEdge& edge);

// A loop of live calls/misses as service indices, the first repeated at the end
// (web, api, web); empty when there is none.
std::vector<std::size_t> find_call_cycle(const CallGraph& graph);

// Pages of journey `journey` that no session can visit (not reachable from the start
// along `next` with probability > 0), in page order.
std::vector<std::size_t> unreachable_pages(const CallGraph& graph, std::size_t journey);

// Pages of journey `journey` from which 'exit' cannot be reached, in page order.
std::vector<std::size_t> pages_without_exit(const CallGraph& graph, std::size_t journey);

// Services that no page reaches, directly or through calls and misses, in file order.
std::vector<std::size_t> unreached_services(const CallGraph& graph);

// Service names with every callee before its callers. Requires a graph without call
// cycles (the loader refuses those) and without unknown names.
std::vector<std::string> topological_services(const Scenario& scenario);

// The graph as short text for `surgesim check`: each journey's pages with the service
// they call, then each service's calls and misses with their probabilities.
std::string to_text(const Scenario& scenario);

// Graphviz DOT: a cluster per journey (start, pages, exit, `next` probabilities), the
// services with their type and size, and the calls between them.
std::string to_dot(const Scenario& scenario);

}  // namespace surgesim::models
