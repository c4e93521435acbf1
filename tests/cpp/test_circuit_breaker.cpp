// The circuit breaker's closed / open / half-open cycle (docs/scenario.md, "Call
// options"), driven by a scripted dependency outage: one attempt a second, answered at
// once, failing while the dependency is down in [10 s, 30 s).
#include <doctest/doctest.h>

#include <string>

#include "models/services/circuit_breaker.hpp"

using namespace surgesim::models;
using Admission = CircuitBreaker::Admission;
using State = CircuitBreaker::State;

namespace {

char letter(Admission a) {
  switch (a) {
    case Admission::pass:
      return 'p';
    case Admission::trial:
      return 't';
    case Admission::refuse:
      break;
  }
  return 'r';
}

}  // namespace

TEST_CASE("a scripted outage: open at the failure rate, a trial every open_for, closed after") {
  CircuitBreaker breaker({0.5, 10.0, 4, 5.0});
  std::string admissions;
  std::string states;
  for (int t = 0; t <= 40; ++t) {
    const Admission a = breaker.admit(t);
    admissions += letter(a);
    if (a != Admission::refuse) breaker.ended(t, t >= 10 && t < 30, a == Admission::trial);
    const State s = breaker.state(t);
    states += s == State::closed ? 'C' : s == State::open ? 'O' : 'H';
  }
  // At t = 14 the window (4 s, 14 s] holds the successes of 5..9 and the failures of
  // 10..14: 5 of 10 failed, >= 0.5, so it opens. Trials at 19, 24, 29 fail (the
  // dependency is down until 30) and reopen it; the trial at 34 succeeds and closes it.
  //                   0         1         2         3         4
  //                   01234567890123456789012345678901234567890
  CHECK(admissions == "ppppppppppppppprrrrtrrrrtrrrrtrrrrtpppppp");
  CHECK(states == "CCCCCCCCCCCCCCOOOOOOOOOOOOOOOOOOOOCCCCCC" + std::string("C"));
  // Between trials it reads half-open once open_for has passed and no attempt came yet.
  CircuitBreaker idle({0.5, 10.0, 1, 5.0});
  idle.ended(0.0, true, false);
  CHECK(idle.state(4.9) == State::open);
  CHECK(idle.state(5.0) == State::half_open);
}

TEST_CASE("fewer than min_calls ends in the window never open the breaker") {
  CircuitBreaker breaker({0.5, 10.0, 5, 5.0});
  // Four failures, one every 3 s: the window of 10 s never holds more than four.
  for (int k = 0; k < 20; ++k) {
    CHECK(breaker.admit(3.0 * k) == Admission::pass);
    breaker.ended(3.0 * k, true, false);
  }
  CHECK(breaker.state(60.0) == State::closed);
  // A fifth end within the window opens it.
  for (int k = 0; k < 4; ++k) breaker.ended(60.0 + k, true, false);
  CHECK(breaker.state(63.0) == State::open);
}

TEST_CASE("while the trial is in flight every other attempt is refused") {
  CircuitBreaker breaker({1.0, 10.0, 1, 5.0});
  breaker.ended(0.0, true, false);  // opens
  CHECK(breaker.admit(5.0) == Admission::trial);
  CHECK(breaker.admit(5.2) == Admission::refuse);
  // An attempt let through before the breaker opened ends now: it changes nothing.
  breaker.ended(5.3, false, false);
  CHECK(breaker.state(5.3) == State::half_open);
  CHECK(breaker.admit(5.4) == Admission::refuse);
  breaker.ended(5.5, false, true);  // the trial succeeds
  CHECK(breaker.state(5.5) == State::closed);
  CHECK(breaker.admit(5.6) == Admission::pass);
  // The window was emptied: a success and then a failure make 1 of 2, below the rate 1.
  breaker.ended(5.7, false, false);
  CHECK(breaker.state(5.7) == State::closed);
  breaker.ended(5.8, true, false);
  CHECK(breaker.state(5.8) == State::closed);  // 1 of 2 failed, below 1.0
}

TEST_CASE("a trial whose caller died is given to the next attempt") {
  CircuitBreaker breaker({1.0, 10.0, 1, 5.0});
  breaker.ended(0.0, true, false);
  CHECK(breaker.admit(6.0) == Admission::trial);
  breaker.trial_lost();
  CHECK(breaker.admit(6.5) == Admission::trial);
}

TEST_CASE("the window keeps ends of the last `window` seconds only, in a ring that is reused") {
  CircuitBreaker breaker({0.5, 10.0, 2, 5.0});
  // A long closed run: an end a second, every tenth a failure (at 3, 13, ...), so the
  // window never holds more than 1 failure in 4 or more ends.
  for (int t = 0; t < 10'000; ++t) breaker.ended(t, t % 10 == 3, false);
  CHECK(breaker.state(10'000.0) == State::closed);
  // Then failures only: the window (t - 10, t] holds 9994..10003 with 4 failures, then
  // 9995..10004 with 5 of 10: it opens.
  for (int k = 0; k < 4; ++k) breaker.ended(10'000.0 + k, true, false);
  CHECK(breaker.state(10'003.0) == State::closed);
  breaker.ended(10'004.0, true, false);
  CHECK(breaker.state(10'004.0) == State::open);
}
