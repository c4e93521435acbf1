#include "models/sessions/journey_chain.hpp"

#include <Eigen/IterativeLinearSolvers>
#include <Eigen/SparseCore>
#include <Eigen/SparseLU>
#include <stdexcept>
#include <string>
#include <unordered_map>

namespace surgesim::models {
namespace {

using Matrix = Eigen::SparseMatrix<double, Eigen::ColMajor>;

// Each iteration costs two products with the matrix: a few milliseconds at the page limit.
constexpr Eigen::Index kMaxIterations = 500;

std::invalid_argument never_exits(const JourneyConfig& journey) {
  return std::invalid_argument("journey '" + journey.name + "' has pages that never reach exit");
}

Matrix i_minus_q(const JourneyConfig& journey) {
  std::unordered_map<std::string, Eigen::Index> index;
  for (std::size_t i = 0; i < journey.pages.size(); ++i) {
    index[journey.pages[i].name] = static_cast<Eigen::Index>(i);
  }
  std::vector<Eigen::Triplet<double>> entries;
  entries.reserve(journey.pages.size() * 4);
  for (std::size_t i = 0; i < journey.pages.size(); ++i) {
    const auto row = static_cast<Eigen::Index>(i);
    entries.emplace_back(row, row, 1.0);
    const PageConfig& page = journey.pages[i];
    for (const auto& [target, p] : page.next) {
      if (target == kExit) continue;
      const auto it = index.find(target);
      if (it == index.end()) {
        throw std::invalid_argument("journey '" + journey.name + "': page '" + page.name +
                                    "' goes to unknown page '" + target + "'");
      }
      entries.emplace_back(row, it->second, -p);  // duplicates are summed
    }
  }
  const auto n = static_cast<Eigen::Index>(journey.pages.size());
  Matrix m(n, n);
  m.setFromTriplets(entries.begin(), entries.end());
  return m;
}

bool solved(const Matrix& a, const Eigen::VectorXd& b, const Eigen::VectorXd& x) {
  return x.allFinite() && (a * x - b).norm() <= 1e-9 * (1.0 + b.norm());
}

// Solves a x = b, checking the residual: a nearly singular matrix can factorise with a
// tiny pivot and give garbage rather than fail.
//
// NOTE: two solvers, because each has a bad case the other handles. Sparse LU is exact
// and linear in a funnel or a long chain, but pages that link far across the journey
// make its factors fill in (a random 2x10^4-page journey: 18 s, as slow as dense).
// BiCGSTAB needs only products with the matrix, converges in tens of iterations on
// those (the walk forgets where it started within a few pages) but breaks down on a
// long chain. So BiCGSTAB first, with a bounded number of iterations, then sparse LU.
std::vector<double> solve(const JourneyConfig& journey, const Matrix& a, const Eigen::VectorXd& b) {
  Eigen::BiCGSTAB<Matrix> iterative;
  iterative.setTolerance(1e-13);
  iterative.setMaxIterations(kMaxIterations);
  iterative.compute(a);
  Eigen::VectorXd x = iterative.solve(b);
  if (iterative.info() != Eigen::Success || !solved(a, b, x)) {
    Eigen::SparseLU<Matrix> lu;
    lu.analyzePattern(a);
    lu.factorize(a);
    if (lu.info() != Eigen::Success) throw never_exits(journey);
    x = lu.solve(b);
    if (!solved(a, b, x)) throw never_exits(journey);
  }
  return {x.data(), x.data() + x.size()};
}

}  // namespace

std::vector<double> expected_visits(const JourneyConfig& journey) {
  Eigen::VectorXd start = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(journey.pages.size()));
  for (std::size_t p = 0; p < journey.pages.size(); ++p) {
    if (journey.pages[p].name == journey.start) start(static_cast<Eigen::Index>(p)) = 1.0;
  }
  if (start.sum() != 1.0) {
    throw std::invalid_argument("journey '" + journey.name + "': unknown start page '" +
                                journey.start + "'");
  }
  const Matrix transposed = i_minus_q(journey).transpose();
  return solve(journey, transposed, start);
}

std::vector<double> expected_to_go(const JourneyConfig& journey, const std::vector<double>& value) {
  const Eigen::VectorXd v =
      Eigen::Map<const Eigen::VectorXd>(value.data(), static_cast<Eigen::Index>(value.size()));
  return solve(journey, i_minus_q(journey), v);
}

}  // namespace surgesim::models
