#!/usr/bin/env bash
# The surgesim command under AddressSanitizer and UndefinedBehaviorSanitizer (the fuzz
# build, SURGESIM_FUZZ=ON): every scenario shipped in configs/ and bench/ checked, drawn
# and run (two replications on two threads, a results file written); report, compare,
# sweep and size run Python, which this build leaves out. The fuzzer reaches the loader;
# these runs reach the rest: the event set, the shop's components, the statistics and
# the writers, whose raw memory (pooled requests, huge-page arrays, the ladder's chunks)
# is where a memory error would hide. The sanitizers stop the command at the first
# finding, a leak included, with a non-zero exit, which fails this script.
#
# usage: tests/sanitized/run.sh SURGESIM_CLI SOURCE_DIR
set -euo pipefail
cli=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The whole of every scenario, so that its outages, cold starts and levers happen, at a
# fraction of its traffic (instrumented code runs ~20x slower); the two short what-ifs
# and the M/M/1 at their own.
traffic_of() {
  case $(basename "$1") in
    what-if-levers.yaml | what-if-retry-storm.yaml | mm1.yaml) echo "" ;;
    sale-day.yaml) echo "--set traffic.scale=0.01" ;;
    *) echo "--set traffic.scale=0.05" ;;
  esac
}

for file in "$src"/configs/*.yaml "$src"/bench/*.yaml; do
  name=$(basename "$file" .yaml)
  echo "== $name ($SECONDS s)"
  "$cli" check "$file" >/dev/null
  "$cli" graph "$file" >"$work/$name.dot"
  # shellcheck disable=SC2046  # traffic_of's words are options
  "$cli" run "$file" $(traffic_of "$file") -r 2 --threads 2 -q -o "$work/$name.h5" \
    --format json >"$work/$name.json"
done

echo "== all ran clean under the sanitizers ($SECONDS s)"
