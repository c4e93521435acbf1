"""The editor schema of scenarios (docs/scenario.schema.json) against the loader.

Editors check scenarios with the schema; surgesim runs what the loader accepts. The two
must agree on the keys of every map, in both directions, and every scenario in configs/
must pass the schema as it is written (with `extends`, only what the file itself says).

The loader's keys are not listed a second time here: the loader rejects an unknown key
with "unknown key 'K'; known keys: a, b, c". The test walks every-map.yaml (every map of
the format, written at least once) together with the schema and, for each map that the
schema closes ("additionalProperties": false), puts an unknown key into it with an
override (`--set PATH.zz_probe=1`) and reads the loader's keys for that map from the
error.

Adding a key to the format takes four steps, and this test fails until all are done:
1. the loader (models/loader/): read the key and list it among its map's known keys;
2. docs/scenario.schema.json: the key under the same map, with a description for editors;
3. docs/scenario.md: the key, its unit, its default and what it does;
4. a key that opens a new map (a new closed definition in the schema): write that map
   into every-map.yaml, so that the loader is asked about it.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

import surgesim

REPO = Path(__file__).resolve().parents[2]
SCHEMA_PATH = REPO / "docs" / "scenario.schema.json"
EVERY_MAP = Path(__file__).with_name("every-map.yaml")
CONFIGS = sorted((REPO / "configs").glob("**/*.yaml"))
PROBE = "zz_probe"
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")
# Keys the loader takes before it reads the maps, so they are missing from its "known
# keys": `extends` merges the base file first. test_extends_is_accepted checks them.
READ_BEFORE_THE_MAPS = {(): {"extends"}}


def load_yaml(path: Path):
    # YAML 1.2, as the loader and editors read it: an unquoted 23:50 stays text.
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def load_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Site:
    """A closed map of the schema as written at `path` of every-map.yaml."""

    path: tuple  # map keys and list indices from the root
    pointer: str  # JSON pointer of the map's definition in the schema
    keys: frozenset[str]

    def dotted(self) -> str:
        return ".".join(str(p) for p in self.path)

    def key_path(self) -> str:
        """The path as the loader writes it in messages: list items as [i]."""
        text = ""
        for part in self.path:
            text += f"[{part}]" if isinstance(part, int) else ("." if text else "") + part
        return text


class Walk:
    """Walks an instance together with the schema, collecting the closed maps it meets.

    $ref is followed, allOf branches are all walked, and of anyOf/oneOf the branch the
    value belongs to: the one it validates against once maps accept any key (so that a
    key missing from the schema shows as a disagreement, not as a value no branch
    takes). if/then/else and not only constrain values; they add no map of their own.
    """

    def __init__(self, schema: dict):
        self.schema = schema
        self.resolver = jsonschema.RefResolver.from_schema(schema)
        self.open_resolver = jsonschema.RefResolver.from_schema(open_maps(schema))
        self.sites: dict[tuple[tuple, str], Site] = {}
        self.problems: list[str] = []

    def resolve(self, node: dict, pointer: str) -> tuple[dict, str]:
        while "$ref" in node:
            ref = node["$ref"]
            assert ref.startswith("#/"), f"only local references are walked: {ref}"
            pointer = ref[1:]
            node = self.resolver.resolve(ref)[1]
        return node, pointer

    def belongs(self, value, pointer: str) -> bool:
        branch = self.open_resolver.resolve("#" + pointer)[1]
        return jsonschema.Draft7Validator(branch, resolver=self.open_resolver).is_valid(value)

    def walk(self, value, node: dict, pointer: str = "", path: tuple = ()) -> None:
        node, pointer = self.resolve(node, pointer)
        for word in ("anyOf", "oneOf"):
            if word not in node:
                continue
            branches = [(b, f"{pointer}/{word}/{i}") for i, b in enumerate(node[word])]
            matching = [(b, p) for b, p in branches if self.belongs(value, p)]
            if len(matching) != 1:
                self.problems.append(f"{'.'.join(map(str, path))}: {len(matching)} branches of "
                                     f"{pointer}/{word} match; the walk needs exactly one")
                continue
            self.walk(value, *matching[0], path)
        for i, branch in enumerate(node.get("allOf", [])):
            self.walk(value, branch, f"{pointer}/allOf/{i}", path)
        if isinstance(value, dict):
            properties = node.get("properties", {})
            others = node.get("additionalProperties", True)
            if others is False:
                self.sites[(path, pointer)] = Site(path, pointer, frozenset(properties))
            for key, child in value.items():
                if key in properties:
                    self.walk(child, properties[key], f"{pointer}/properties/{key}", (*path, key))
                elif isinstance(others, dict):
                    self.walk(child, others, f"{pointer}/additionalProperties", (*path, key))
        if isinstance(value, list) and isinstance(node.get("items"), dict):
            for i, item in enumerate(value):
                self.walk(item, node["items"], f"{pointer}/items", (*path, i))


def open_maps(node):
    """The schema with every map open to any key (for telling branches apart)."""
    if isinstance(node, dict):
        return {k: open_maps(v) for k, v in node.items()
                if not (k == "additionalProperties" and v is False)}
    if isinstance(node, list):
        return [open_maps(v) for v in node]
    return node


def closed_maps(node, pointer: str = "") -> set[str]:
    """JSON pointers of every map definition that allows only its own keys."""
    found = set()
    if isinstance(node, dict):
        if node.get("additionalProperties") is False:
            found.add(pointer)
        for key, child in node.items():
            found |= closed_maps(child, f"{pointer}/{key}")
    elif isinstance(node, list):
        for i, child in enumerate(node):
            found |= closed_maps(child, f"{pointer}/{i}")
    return found


@lru_cache(maxsize=None)
def loader_keys(dotted: str, key_path: str) -> frozenset[str]:
    """The keys the loader accepts in the map at `dotted` of every-map.yaml."""
    option = f"{dotted}.{PROBE}=1" if dotted else f"{PROBE}=1"
    with pytest.raises(surgesim.ScenarioError) as caught:
        surgesim.validate(EVERY_MAP, set=[option])
    error = caught.value
    probe_path = f"{key_path}.{PROBE}" if key_path else PROBE
    assert error.key_path == probe_path, f"--set {option} was refused elsewhere: {error}"
    listed = re.search(rf"unknown key '{PROBE}'.*; known keys: (.+)$", error.problem)
    assert listed, f"--set {option}: the loader no longer lists its known keys: {error}"
    return frozenset(k.strip() for k in listed.group(1).split(","))


def disagreements(schema: dict) -> list[str]:
    """Where the schema and the loader disagree on the keys of a map of every-map.yaml."""
    walk = Walk(schema)
    walk.walk(load_yaml(EVERY_MAP), schema)
    found = list(walk.problems)
    for site in walk.sites.values():
        loader = loader_keys(site.dotted(), site.key_path()) | READ_BEFORE_THE_MAPS.get(site.path, set())
        where = site.key_path() or "the top level"
        if loader - site.keys:
            found.append(f"{where}: the loader accepts {sorted(loader - site.keys)}, which "
                         f"{site.pointer} of the schema lacks")
        if site.keys - loader:
            found.append(f"{where}: {site.pointer} of the schema has {sorted(site.keys - loader)}, "
                         f"which the loader rejects")
    unwritten = closed_maps(schema) - {site.pointer for site in walk.sites.values()}
    found += [f"{pointer}: no map of this kind in every-map.yaml, so the loader is not asked "
              f"about it" for pointer in sorted(unwritten)]
    return found


def test_schema_is_a_valid_draft_7_schema() -> None:
    jsonschema.Draft7Validator.check_schema(load_schema())


@pytest.mark.parametrize("path", [*CONFIGS, EVERY_MAP], ids=lambda p: p.name)
def test_scenario_passes_the_schema_and_the_loader(path: Path) -> None:
    validator = jsonschema.Draft7Validator(load_schema())
    errors = [f"{'.'.join(map(str, e.absolute_path)) or 'top level'}: {e.message}"
              for e in validator.iter_errors(load_yaml(path))]
    assert errors == []
    surgesim.validate(path)


@pytest.mark.parametrize("path", [*CONFIGS, EVERY_MAP], ids=lambda p: p.name)
def test_scenario_names_the_schema_on_its_first_line(path: Path) -> None:
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    modeline = MODELINE.match(first_line)
    assert modeline, f"{path.name} starts with {first_line!r}"
    assert (path.parent / modeline.group(1)).resolve() == SCHEMA_PATH


def test_schema_and_loader_accept_the_same_keys_in_every_map() -> None:
    assert disagreements(load_schema()) == []


def test_a_key_missing_from_the_schema_is_found() -> None:
    schema = load_schema()
    del schema["definitions"]["autoscale"]["properties"]["cooldown"]
    assert disagreements(schema) == [
        "services.web.autoscale: the loader accepts ['cooldown'], which "
        "/definitions/autoscale of the schema lacks"
    ]


def test_a_key_the_loader_rejects_is_found() -> None:
    schema = load_schema()
    schema["definitions"]["dist_gamma"]["properties"]["shape"] = {"type": "number"}
    assert disagreements(schema) == [
        "services.web.service: /definitions/dist_gamma of the schema has ['shape'], "
        "which the loader rejects"
    ]


def test_a_map_every_map_yaml_does_not_write_is_found() -> None:
    schema = load_schema()
    schema["definitions"]["traffic"]["properties"]["surge"] = {
        "type": "object", "properties": {"at": {}}, "additionalProperties": False}
    found = disagreements(schema)
    assert "traffic: /definitions/traffic of the schema has ['surge'], which the loader rejects" in found
    assert ("/definitions/traffic/properties/surge: no map of this kind in every-map.yaml, so "
            "the loader is not asked about it") in found


def test_extends_is_accepted(tmp_path: Path) -> None:
    assert READ_BEFORE_THE_MAPS == {(): {"extends"}}
    what_if = tmp_path / "what-if.yaml"
    what_if.write_text(f"extends: {EVERY_MAP}\nname: what-if\ntraffic: {{scale: 2}}\n")
    assert surgesim.validate(what_if)["name"] == "what-if"
    # Not among the keys the loader lists, or READ_BEFORE_THE_MAPS would be stale.
    assert "extends" not in loader_keys("", "")


def test_schema_catches_what_an_editor_should_mark() -> None:
    validator = jsonschema.Draft7Validator(load_schema())
    shop = load_yaml(EVERY_MAP)

    def errors(change) -> list[str]:
        changed = copy.deepcopy(shop)
        change(changed)
        return [e.message for e in validator.iter_errors(changed)]

    assert errors(lambda s: s["services"]["web"].update(instanses=3))
    assert errors(lambda s: s.update(duration="4 h"))
    assert errors(lambda s: s["slo"][0].update(max="5%"))
    assert errors(lambda s: s["services"]["web"]["autoscale"].pop("target"))
    # Money distributions take plain numbers, time distributions durations.
    assert errors(lambda s: s["journeys"]["shop"]["pages"]["pay"]["order"].update(
        value={"dist": "exponential", "mean": "5s"}))
    assert not errors(lambda s: s["services"]["web"].update(service={"dist": "exponential", "mean": "5s"}))
    # A what-if with `extends` need not repeat what its base has.
    assert not [e.message for e in validator.iter_errors(
        {"extends": "base.yaml", "services": {"web": {"instances": 14}}})]
    assert errors(lambda s: s.pop("traffic"))
