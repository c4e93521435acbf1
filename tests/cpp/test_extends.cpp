// `extends: BASE.yaml`: what-if scenarios written as the differences from a base.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <variant>

#include "models/loader/scenario_loader.hpp"
#include "models/yaml/scenario_error.hpp"

using namespace surgesim::models;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("surgesim-extends-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string write(const std::string& name, const std::string& text) const {
    const auto file = path / name;
    std::ofstream(file) << text;
    return file.string();
  }
};

const char* kBase = R"(name: base
duration: 1h
traffic: {rate: 100}
journeys:
  browse:
    share: 1
    pages:
      home: {call: web, next: {product: 0.5, exit: 0.5}}
      product: {call: web, next: {exit: 1}}
services:
  web: {type: server_pool, instances: 4, workers: 8, service: 20ms}
)";

std::string error_of(const std::string& file) {
  try {
    load_scenario_file(file);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a what-if names only what differs from its base") {
  TempDir dir;
  dir.write("base.yaml", kBase);
  const std::string child = dir.write("child.yaml", R"(extends: base.yaml
name: child
services:
  web: {instances: 8}
traffic: {scale: 2}
)");
  const Scenario s = load_scenario_file(child);
  CHECK(s.name == "child");
  CHECK(s.duration == 3600.0);
  CHECK(s.traffic.rate == 100.0);
  CHECK(s.traffic.scale == 2.0);
  const auto& web = std::get<ServerPoolConfig>(s.services.at(0).type);
  CHECK(web.instances == 8);
  CHECK(web.workers == 8);
  // The base's order survives, so the journey still starts on its first page.
  CHECK(s.journeys.at(0).start == "home");
  CHECK(s.resolved_text.find("extends") == std::string::npos);
}

TEST_CASE("errors in an inherited key name the base file; in an overriding key the child") {
  TempDir dir;
  dir.write("base.yaml",
            std::string(kBase) + "  idle: {type: server_pool, instances: 0, service: 1ms}\n");
  const std::string child = dir.write("child.yaml", "extends: base.yaml\nname: child\n");
  const std::string inherited = error_of(child);
  CHECK(inherited.find("base.yaml:12:") != std::string::npos);
  CHECK(inherited.find("services.idle.instances") != std::string::npos);

  dir.write("good.yaml", kBase);
  const std::string own = error_of(dir.write("own.yaml", R"(extends: good.yaml
name: child
services:
  web: {instances: -1}
)"));
  CHECK(own.find("own.yaml:4:") != std::string::npos);
  CHECK(own.find("services.web.instances") != std::string::npos);
}

TEST_CASE("extends: missing base, cycles and a base that is not a scenario") {
  TempDir dir;
  const std::string missing = error_of(dir.write("a.yaml", "extends: nowhere.yaml\nname: a\n"));
  CHECK(missing.find("a.yaml:1:") != std::string::npos);
  CHECK(missing.find("nowhere.yaml") != std::string::npos);

  dir.write("x.yaml", "extends: y.yaml\nname: x\n");
  const std::string cycle = error_of(dir.write("y.yaml", "extends: x.yaml\nname: y\n"));
  CHECK(cycle.find("cycle") != std::string::npos);
  CHECK(cycle.find("x.yaml -> y.yaml") != std::string::npos);

  dir.write("list.yaml", "- 1\n- 2\n");
  CHECK(error_of(dir.write("b.yaml", "extends: list.yaml\nname: b\n")).find("list.yaml") !=
        std::string::npos);
}

// Found by fuzzing: a name longer than the file system allows made resolving the base's
// path throw std::filesystem's error, which no caller expects, and ended the process.
TEST_CASE("extends: a base name the file system refuses is an error at 'extends'") {
  TempDir dir;
  const std::string name(300, 'b');
  const std::string error = error_of(dir.write("long.yaml", "extends: " + name + "\nname: a\n"));
  INFO(error);
  CHECK(error.find("long.yaml:1:10: extends: cannot open the base scenario") != std::string::npos);
  CHECK(error.find("File name too long") != std::string::npos);
  CHECK_THROWS_AS(load_scenario_text("extends: " + name + "/c.yaml\n", "text.yaml"), ScenarioError);
}
