#!/usr/bin/env bash
# Sets surgesim up on a Debian 12 machine and then either runs the default scenario
# or every test:
#   ./setup.sh demo    install what is missing, build, run configs/harbolnas-1111.yaml
#   ./setup.sh test    install what is missing, build, run the C++ and Python tests and
#                      the hostile corpus, then fuzz the scenario loader for 60 s and
#                      check, draw and run every shipped scenario under the sanitizers
# Safe to run again: it installs only missing packages and rebuilds incrementally.
set -euo pipefail
cd "$(dirname "$0")"

mode=${1:-}
if [[ "$mode" != demo && "$mode" != test ]]; then
  echo "usage: $0 demo|test" >&2
  exit 2
fi

packages=(
  cmake make g++ pkg-config
  libyaml-cpp-dev libboost-graph-dev libboost-math-dev libeigen3-dev libhdf5-dev
  pybind11-dev doctest-dev libcli11-dev libfmt-dev nlohmann-json3-dev
  python3 python3-dev python3-numpy python3-pandas python3-matplotlib python3-h5py
  python3-distributed python3-pytest python3-nbclient python3-ipykernel
  python3-jsonschema python3-ruamel.yaml python3-tqdm python3-yaml
  python3-simpy3  # bench/run.sh measures SimPy beside surgesim
)

# The loader's fuzz test and the sanitized command (test mode only) are built by clang
# in build-fuzz, apart from the g++ build.
fuzz_packages=(clang libclang-rt-dev)
if [[ "$mode" == test ]]; then packages+=("${fuzz_packages[@]}"); fi

install_missing_packages() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return
  echo "== installing: ${missing[*]}"
  local sudo=()
  [[ $(id -u) -ne 0 ]] && sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

# The python3 first on PATH may be a build without numpy that cannot reach PyPI;
# take the first interpreter that has what the package and tests need.
pick_python() {
  for candidate in python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null &&
      "$candidate" -c "import numpy, pandas, pytest" 2>/dev/null; then
      "$candidate" -c "import sys; print(sys.executable)"
      return
    fi
  done
  echo /usr/bin/python3
}

# Makes `import surgesim` work for that interpreter: a .pth file pointing at the build.
register_python_package() {
  local python=$1 site
  site=$("$python" -c "import site; print(site.getsitepackages()[0])")
  if ! { mkdir -p "$site" && echo "$PWD/build/python" >"$site/surgesim.pth"; } 2>/dev/null; then
    site=$("$python" -c "import site; print(site.getusersitepackages())")
    mkdir -p "$site" && echo "$PWD/build/python" >"$site/surgesim.pth"
  fi
}

# Puts the `surgesim` command on PATH.
link_cli() {
  local bin=/usr/local/bin
  [[ -w $bin ]] || { bin=$HOME/.local/bin; mkdir -p "$bin"; }
  ln -sf "$PWD/build/cli/surgesim" "$bin/surgesim"
}

# Fuzzes the loader for 60 s under ASan and UBSan (tests/fuzz), then checks, draws and
# runs every shipped scenario under them (tests/sanitized); stops at a finding.
run_fuzz_test() {
  local start=$SECONDS
  echo "== fuzzing the scenario loader for 60 s, then running every scenario (clang, ASan, UBSan)"
  cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
    -DCMAKE_CXX_COMPILER=clang++ -DSURGESIM_FUZZ=ON -DSURGESIM_PYTHON=OFF -DSURGESIM_TESTS=OFF \
    -DSURGESIM_BENCH=OFF >/dev/null
  cmake --build build-fuzz -j2 --target fuzz_loader surgesim
  if ! ctest --test-dir build-fuzz -V >build-fuzz/fuzz.log 2>&1; then
    cat build-fuzz/fuzz.log
    echo "== a sanitized test found a problem (above); a fuzz input is in build-fuzz/" >&2
    exit 1
  fi
  grep -E "INITED|DONE|stat::number_of_executed_units|all ran clean|Test +#" build-fuzz/fuzz.log
  echo "== fuzz step: $((SECONDS - start)) s"
}

install_missing_packages
python=$(pick_python)
echo "== building with $python"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DPython3_EXECUTABLE="$python" >/dev/null
cmake --build build -j2
register_python_package "$python"
link_cli

if [[ "$mode" == demo ]]; then
  echo "== surgesim run configs/harbolnas-1111.yaml"
  ./build/cli/surgesim run configs/harbolnas-1111.yaml
else
  ctest --test-dir build --output-on-failure -j2
  run_fuzz_test
fi
