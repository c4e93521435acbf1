// Scenario files as an attack surface: what the loader reads (only regular files, only
// so much), what it accepts (UTF-8 text), and what its messages may say (short excerpts
// of the scenario, never the content of a file that is not one).
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "models/loader/input_file.hpp"
#include "models/loader/scenario_loader.hpp"
#include "models/yaml/scenario_error.hpp"
#include "models/yaml/untrusted_text.hpp"

using namespace surgesim::models;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    static int n = 0;
    path = fs::temp_directory_path() /
           ("surgesim-untrusted-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
    return (path / name).string();
  }
};

const std::string kShop = R"(name: shop
duration: 1h
traffic: {rate: 10}
journeys:
  browse:
    share: 1
    pages:
      home: {call: web, next: {exit: 1}}
services:
  web: {type: server_pool, instances: 2, service: 20ms}
)";

// The message of the ScenarioError `load` throws ("" if none).
template <class Load>
std::string error_of(Load&& load) {
  try {
    load();
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

std::string file_error(const std::string& path) {
  return error_of([&] { load_scenario_file(path); });
}

std::string text_error(const std::string& text) {
  return error_of([&] { load_scenario_text(text, "test.yaml"); });
}

// A few lines in the form of /etc/shadow and /etc/passwd: what must never be quoted.
const std::string kSecrets = "root:*:20228:0:99999:7:::\ndaemon:*:20228:0:99999:7:::\n";
const std::string kPasswd = "root:x:0:0:root:/root:/bin/bash\nbin:x:2:2:bin:/bin:/usr/sbin\n";

}  // namespace

TEST_CASE("only regular files are read, and none that waits or never ends") {
  const TempDir dir;
  const fs::path fifo = dir.path / "fifo.yaml";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const auto start = std::chrono::steady_clock::now();
  CHECK(file_error("/dev/zero") ==
        "/dev/zero: expected a scenario file, found a character device: '/dev/zero' (only "
        "regular files are read)");
  CHECK(file_error(fifo.string()).find("expected a scenario file, found a FIFO") !=
        std::string::npos);
  CHECK(file_error(dir.path.string()).find("found a directory") != std::string::npos);
  CHECK(file_error((dir.path / "none.yaml").string()).ends_with("No such file or directory"));
  // The same for a base and a traffic CSV, located at the key that names them.
  const std::string child = dir.write("child.yaml", "extends: /dev/zero\n");
  CHECK(file_error(child) == child +
                                 ":1:10: extends: expected a scenario file, found a character "
                                 "device: '/dev/zero' (only regular files are read)");
  const std::string fifo_base = dir.write("fifo-base.yaml", "extends: fifo.yaml\n");
  CHECK(file_error(fifo_base).find("found a FIFO") != std::string::npos);
  const std::string csv =
      dir.write("csv.yaml", kShop.substr(0, kShop.find("traffic")) + "traffic: {csv: /dev/zero}" +
                                kShop.substr(kShop.find("\njourneys")));
  CHECK(file_error(csv).find(":3:16: traffic.csv: expected a CSV file, found a character device") !=
        std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}

TEST_CASE("files over the size limit are refused before they are read") {
  const TempDir dir;
  // Sparse: says its size without taking the disk, and would take long to read.
  const fs::path big = dir.path / "big.yaml";
  std::ofstream(big) << kShop;
  fs::resize_file(big, kScenarioBytes + 1);
  const auto start = std::chrono::steady_clock::now();
  CHECK(file_error(big.string()) ==
        big.string() + ": the scenario '" + big.string() +
            "' is larger than 2 MiB, the most surgesim reads: a scenario this large is "
            "generated: keep long traffic series in a CSV file (traffic.csv) and split what "
            "remains");
  // The scenario and its bases count together.
  const std::string half = kShop + "# " + std::string(kScenarioBytes / 2, 'x') + "\n";
  dir.write("base.yaml", half);
  const std::string child =
      dir.write("child.yaml", "extends: base.yaml\n# " + std::string(kScenarioBytes / 2, 'y'));
  CHECK(file_error(child).find("extends: the base scenario") != std::string::npos);
  CHECK(file_error(child).find("the scenario and the bases it extends count together") !=
        std::string::npos);
  const fs::path big_csv = dir.path / "big.csv";
  std::ofstream(big_csv) << "t,rate\n0,5\n";
  fs::resize_file(big_csv, kTrafficCsvBytes + 1);
  const std::string csv_scenario =
      dir.write("csv.yaml", kShop.substr(0, kShop.find("traffic")) + "traffic: {csv: big.csv}" +
                                kShop.substr(kShop.find("\njourneys")));
  CHECK(file_error(csv_scenario).find("is larger than 64 MiB") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  // Text handed over is held to the same limit.
  CHECK(text_error(std::string(kScenarioBytes + 1, '#')).find("larger than 2 MiB") !=
        std::string::npos);
}

TEST_CASE("a file that is not a scenario or a traffic CSV is described, never quoted") {
  const TempDir dir;
  const std::string shadow = dir.write("shadow", kSecrets);
  const std::string passwd = dir.write("passwd", kPasswd);
  for (const std::string& base : {shadow, passwd}) {
    CAPTURE(base);
    const std::string child = dir.write("child.yaml", "extends: " + base + "\n");
    const std::string message = file_error(child);
    CHECK(message.find(base + ":1:") == 0);
    CHECK(message.find("this is not a scenario: expected a map of a scenario's top-level keys") !=
          std::string::npos);
    CHECK(message.find("root") == std::string::npos);
    CHECK(message.find("20228") == std::string::npos);
    // Named as the scenario itself, the same.
    CHECK(file_error(base).find("root") == std::string::npos);
  }
  const std::string csv =
      dir.write("csv.yaml", kShop.substr(0, kShop.find("traffic")) + "traffic: {csv: passwd}" +
                                kShop.substr(kShop.find("\njourneys")));
  const std::string message = file_error(csv);
  CHECK(message == passwd +
                       ":1:1: traffic.csv: this is not a traffic CSV: its first line is not "
                       "the header 't,rate'");
  // A scenario's own typo at the top level is still named, with a suggestion.
  CHECK(text_error("nmae: x\n" + kShop).find("unknown key 'nmae' (did you mean 'name'?)") !=
        std::string::npos);
  // Other top-level keys are located, not quoted.
  CHECK(text_error(kShop + "password: hunter2\n") ==
        "test.yaml:11:1: this is not a scenario: expected a map of a scenario's top-level keys "
        "(name, description, currency, start, duration, warmup, window, bucket, seed, "
        "replications, traffic, journeys, services, slo, waiting_room, extends), found "
        "another key here");
}

TEST_CASE("scenario text is UTF-8 of printable characters, checked with line and column") {
  CHECK(text_error("name: caf\xC3\xA9\n" + kShop.substr(kShop.find('\n') + 1)).empty());
  CHECK(text_error("\xEF\xBB\xBF" + kShop).empty());  // a byte order mark at the start
  CHECK(text_error(kShop + "# caf\xE9\n") ==
        "test.yaml:11:6: expected UTF-8 text, found a byte that is not UTF-8 (save the file as "
        "UTF-8)");
  CHECK(text_error("name: a\xC0\xAF\n") ==
        "test.yaml:1:8: expected UTF-8 text, found a byte that is not UTF-8 (save the file as "
        "UTF-8)");  // an overlong '/'
  CHECK(text_error(std::string("name: sh\0op\n", 12)) ==
        "test.yaml:1:9: expected text, found a NUL character");
  CHECK(text_error("name: \x1B[2Jshop\n") ==
        "test.yaml:1:7: expected printable text, found the control character U+001B (only "
        "tab, line feed and carriage return may appear)");
  CHECK(text_error("name: a\n\xEF\xBB\xBFx: 1\n")
            .find("test.yaml:2:1: expected text, found a "
                  "byte order mark") == 0);
  // The same for --set values (a Python str can hold anything).
  const std::string option = error_of([] {
    load_scenario_text(kShop, "test.yaml", {Override{"name", std::string("a\0b", 3), ""}});
  });
  CHECK(option == "--set name=a\\x00b: expected text, found a NUL character");
}

TEST_CASE("a stray ',' ends in an error at once (yaml-cpp's LoadAll looped on it forever)") {
  const auto start = std::chrono::steady_clock::now();
  CHECK(text_error("---\n- a\n,") ==
        "test.yaml:3:1: invalid YAML: nothing can start here (a ',' outside [ ] or { }?)");
  CHECK(text_error(",").find("the scenario is empty") != std::string::npos);
  CHECK(text_error(kShop + "...\n,\n").find("nothing can start here") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}

TEST_CASE("messages quote at most 80 characters of a key or value, escaped") {
  const std::string long_value(5000, 'v');
  const std::string message = text_error(kShop.substr(0, kShop.find("services:")) +
                                         "services:\n  web: {type: " + long_value + "}\n");
  CHECK(message.find(std::string(80, 'v') + "...") != std::string::npos);
  CHECK(message.find(std::string(81, 'v')) == std::string::npos);
  const std::string long_key(5000, 'k');
  const std::string key_message = text_error(kShop.substr(0, kShop.find("services:")) +
                                             "services:\n  web: {" + long_key + ": 1}\n");
  CHECK(key_message.find(std::string(81, 'k')) == std::string::npos);
  CHECK(key_message.size() < 1000);
  CHECK(excerpt("a\tb\nc\x7F\xFF") == "a\\tb\\nc\\x7F\\xFF");
  CHECK(excerpt(std::string(100, 'x'), 3) == "xxx...");
  CHECK(excerpt("\xC3\xA9t\xC3\xA9", 2) == "\xC3\xA9t...");  // cut between characters
}

TEST_CASE("a scenario given as text reads no file unless told where") {
  const TempDir dir;
  dir.write("base.yaml", kShop);
  dir.write("steps.csv", "t,rate\n0,5\n");
  const std::string child = "extends: base.yaml\nname: child\n";
  const std::string csv = kShop.substr(0, kShop.find("traffic")) + "traffic: {csv: steps.csv}" +
                          kShop.substr(kShop.find("\njourneys"));
  // As Python's loads() without base_dir: no file is read, and the message says why.
  const std::string why = "a scenario given as text reads no file";
  ScenarioFiles none = ScenarioFiles::only({}, why);
  const std::string extends_error = error_of([&] {
    load_scenario({"<text>", child, std::nullopt, {}}, none);
  });
  CHECK(extends_error.find("<text>:1:10: extends: ") == 0);
  CHECK(extends_error.find("'base.yaml': " + why) != std::string::npos);
  const std::string csv_error = error_of([&] {
    load_scenario({"<text>", csv, std::nullopt, {}}, none);
  });
  CHECK(csv_error.find("traffic.csv: ") != std::string::npos);
  CHECK(csv_error.find("'steps.csv': " + why) != std::string::npos);
  CHECK(csv_error.find("relative to the scenario file's directory") == std::string::npos);
  CHECK(none.read_files().empty());
  // Given a directory, both resolve there.
  ScenarioFiles disk;
  CHECK(load_scenario({"<text>", child, dir.path.string(), {}}, disk).name == "child");
  CHECK(load_scenario({"<text>", csv, dir.path.string(), {}}, disk).traffic.steps.size() == 1);
  CHECK(disk.read_files().size() == 2);
}
