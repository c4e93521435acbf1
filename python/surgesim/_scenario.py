"""Scenarios as data: load once, change by key path, run anywhere.

A ``Scenario`` holds the YAML text it was loaded from, the overrides set on it and a
copy of every file it names (``extends`` bases, traffic CSVs), so that it is loaded the
same way, bit for bit, wherever it goes — a sweep point on another core or on a Dask
worker that has no access to your files.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Mapping
from typing import Any, Union

from . import _core
from ._errors import ScenarioError
from ._yaml import flow

PathLike = Union[str, "os.PathLike[str]"]

_TEXT_NAME = "<string>"
_NO_FILES_FROM_TEXT = (
    "a scenario from surgesim.loads() reads no file unless base_dir= says where its "
    "relative paths start"
)
_SHIPPED = "not among the files the scenario was loaded with (it reads no file where it runs)"


class Scenario:
    """A validated scenario that you copy and change by key path; never changed in place.

    Make one with ``surgesim.load(path)`` or ``surgesim.loads(text, base_dir=...)``.
    ``sc.set("services.web.instances", 14)`` and ``sc.set({path: value, ...})`` return
    a modified copy, validated at once: an error raises ``ScenarioError`` located at
    the ``set`` call that caused it. Key paths address map keys by name and list items by
    index (``slo.0.max``, ``services.payment-gateway.providers.0.share``); a missing map
    key is created, index 0 starts a list and a list's length appends to it. Values are
    Python numbers, strings, booleans, None, lists and dicts (a whole list or map
    replaces the old one). Every function that takes a scenario (``run``, ``validate``,
    ``graph``, ``estimate``, ``sweep``, ``size``) takes a Scenario or a path.
    """

    __slots__ = ("_file", "_text", "_base_dir", "_overrides", "_files", "_no_disk", "_loaded")

    def __init__(self, *, file: str, text: str, base_dir: str | None,
                 overrides: tuple[tuple[str, str, str], ...] = (),
                 files: Mapping[str, bytes] | None = None, no_disk: str | None = None):
        self._file = file
        self._text = text
        self._base_dir = base_dir
        self._overrides = tuple(overrides)
        self._files = dict(files or {})
        self._no_disk = no_disk
        self._loaded: dict[str, Any] | None = None

    # --- changing it ----------------------------------------------------------------------

    def set(self, path: str | Mapping[str, Any], value: Any = ..., /) -> Scenario:
        """A copy with the value at ``path`` replaced, or with every ``{path: value}``
        of a mapping applied in order (coupled values, e.g. connections together with
        ``contention.above``). Raises ScenarioError when the result is not valid.
        """
        if isinstance(path, Mapping):
            if value is not ...:
                raise TypeError("set(mapping) takes no value: the mapping holds the values")
            changes = [(key, item, f"set({{{key!r}: {item!r}}})") for key, item in path.items()]
        elif isinstance(path, str):
            if value is ...:
                raise TypeError(f"set({path!r}) needs a value: set(path, value)")
            changes = [(path, value, f"set({path!r}, {value!r})")]
        else:
            raise TypeError(f"set() takes a key path and a value, or a mapping, found {path!r}")
        overrides = [(key, flow(item), origin) for key, item, origin in changes]
        return self._with(overrides)

    def _with(self, overrides: Iterable[tuple[str, str, str]]) -> Scenario:
        """A copy with more overrides (path, YAML text, origin for messages), validated."""
        copy = Scenario(file=self._file, text=self._text, base_dir=self._base_dir,
                        overrides=self._overrides + tuple(overrides), files=self._files,
                        no_disk=self._no_disk)
        known = set(self._info()["warnings"]) if self._loaded is not None else set()
        copy._load(warn_about=lambda w: w not in known)
        return copy

    # --- what it is -----------------------------------------------------------------------

    @property
    def name(self) -> str:
        """The scenario's ``name``."""
        return self._info()["name"]

    @property
    def file(self) -> str:
        """The file it was loaded from (``"<string>"`` for ``loads``)."""
        return self._file

    @property
    def overrides(self) -> list[tuple[str, str]]:
        """The changes made by ``set``, in order: (key path, YAML text of the value)."""
        return [(path, value) for path, value, _ in self._overrides]

    def validate(self) -> list[str]:
        """The scenario's warnings (things allowed but probably not meant), each also
        issued as a UserWarning; an empty list when there are none."""
        found = list(self._info()["warnings"])
        for warning in found:
            warnings.warn(warning, UserWarning, stacklevel=2)
        return found

    def info(self) -> dict[str, Any]:
        """Name, description, currency, duration_s, warmup_s, start (or None), window
        ({from_s, to_s}, or None), seed, replications, journeys (name -> page names),
        services (names) and warnings."""
        return dict(self._info())

    def to_yaml(self) -> str:
        """The scenario as simulated: ``extends`` merged, every ``set`` applied. Relative
        paths in it (a traffic ``csv``) are relative to the scenario file's directory."""
        assert self._loaded is not None
        return self._loaded["resolved"]

    def __repr__(self) -> str:
        changes = [f"{path}={value}" for path, value in self.overrides]
        shown = ", ".join(changes[:3]) + (f", ... ({len(changes)} changes)" if len(changes) > 3 else "")
        origin = f" from {self._file}" if self._file != _TEXT_NAME else ""
        name = repr(self._loaded["info"]["name"]) if self._loaded is not None else "(invalid)"
        return f"<Scenario {name}{origin}{'; ' + shown if shown else ''}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scenario):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash((self._file, self._text, self._base_dir, self.overrides))

    def _key(self) -> tuple:
        return (self._file, self._text, self._base_dir, self.overrides, self._files)

    # --- for the library ------------------------------------------------------------------

    def _source(self) -> dict[str, Any]:
        """What _core takes: the text, where it came from, the overrides and the files."""
        # The text goes back as the bytes it was read from.
        text = self._text.encode("utf-8", "surrogateescape")
        return {"file": self._file, "text": text, "base_dir": self._base_dir,
                "overrides": list(self._overrides), "files": self._files,
                "no_disk": self._no_disk}

    def _shipped(self) -> Scenario:
        """The same scenario, reading no file: for a process or machine that may not see
        the files it was loaded from (a Dask worker)."""
        copy = Scenario(file=self._file, text=self._text, base_dir=self._base_dir,
                        overrides=self._overrides, files=self._files,
                        no_disk=self._no_disk or _SHIPPED)
        copy._loaded = self._loaded
        return copy

    def _info(self) -> dict[str, Any]:
        if self._loaded is None:
            self._load(warn_about=lambda w: False)
        assert self._loaded is not None
        return self._loaded["info"]

    def _load(self, warn_about) -> None:
        loaded = _core.load(self._source())
        self._files = dict(loaded["files"])  # exactly what this version reads
        self._loaded = loaded
        for warning in loaded["info"]["warnings"]:
            if warn_about(warning):
                warnings.warn(warning, UserWarning, stacklevel=4)

    def __getstate__(self):
        return (self._file, self._text, self._base_dir, self._overrides, self._files,
                self._no_disk, self._loaded)

    def __setstate__(self, state):
        (self._file, self._text, self._base_dir, self._overrides, self._files,
         self._no_disk, self._loaded) = state


def load(path: PathLike) -> Scenario:
    """Read and validate the scenario file at ``path`` (and the files it names).

    Raises FileNotFoundError for a missing file, ScenarioError for an invalid scenario;
    warnings are issued as UserWarning.
    """
    file = os.fspath(path)
    # Bytes that are not UTF-8 survive the round trip to the loader, which names them.
    with open(file, encoding="utf-8", errors="surrogateescape") as f:
        text = f.read()
    scenario = Scenario(file=file, text=text, base_dir=None)
    scenario._load(warn_about=lambda w: True)
    return scenario


def loads(text: str, *, base_dir: PathLike | None = None, name: str = _TEXT_NAME) -> Scenario:
    """Validate a scenario given as YAML text. ``base_dir`` is where its relative paths
    (``extends``, a traffic ``csv``) start; without it the scenario may name no file.
    ``name`` stands for the text in error messages."""
    scenario = Scenario(file=name, text=text,
                        base_dir=None if base_dir is None else os.fspath(base_dir),
                        no_disk=None if base_dir is not None else _NO_FILES_FROM_TEXT)
    scenario._load(warn_about=lambda w: True)
    return scenario


Overrides = Union[Iterable[str], Mapping[str, Any], None]


def as_scenario(scenario: Scenario | PathLike, overrides: Overrides = None) -> Scenario:
    """A Scenario from a Scenario or a path, with the ``set=`` argument of the
    module-level functions applied: a mapping as ``Scenario.set`` takes it, or
    ``"KEY.PATH=VALUE"`` strings as the command line's ``--set`` takes them."""
    if isinstance(scenario, Scenario):
        result = scenario
    elif isinstance(scenario, (str, os.PathLike)):
        result = load(scenario)
    else:
        raise TypeError(f"expected a Scenario or the path of a scenario file, found {scenario!r}")
    if overrides is None:
        return result
    if isinstance(overrides, Mapping):
        return result.set(overrides) if overrides else result
    if isinstance(overrides, str):  # one option, not an iterable of characters
        overrides = [overrides]
    parsed = []
    for option in overrides:
        path, equals, value = str(option).partition("=")
        if not equals or not path:
            raise ScenarioError(
                f"set=[{option!r}]: expected 'KEY.PATH=VALUE', e.g. 'services.web.instances=60', "
                f"found {option!r}", f"set=[{option!r}]", "",
                f"expected 'KEY.PATH=VALUE', e.g. 'services.web.instances=60', found {option!r}")
        parsed.append((path, value, f"set=[{option!r}]"))
    return result._with(parsed)
