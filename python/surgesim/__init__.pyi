import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union, overload

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from . import compare as compare, report as report

__version__: str

PathLike = Union[str, os.PathLike[str]]
Overrides = Union[Iterable[str], Mapping[str, Any], None]

class Overloaded(RuntimeError): ...

class ScenarioError(ValueError):
    location: str
    key_path: str
    problem: str
    def __init__(
        self, message: str, location: str = ..., key_path: str = ..., problem: str = ...
    ) -> None: ...

@dataclass(frozen=True)
class Series:
    path: str
    columns: list[str]
    bucket_s: float
    mean: np.ndarray
    ci95: np.ndarray | None
    replications: np.ndarray

class Plots:
    def traffic(self, *, zoom: tuple[object, object] | None = ...) -> Figure: ...
    def latency(self, *, zoom: tuple[object, object] | None = ...) -> Figure: ...
    def drops(self, *, zoom: tuple[object, object] | None = ...) -> Figure: ...
    def services(self, *, zoom: tuple[object, object] | None = ...) -> Figure: ...
    def lost_revenue(self, *, zoom: tuple[object, object] | None = ...) -> Figure: ...
    def waiting_room(self, *, zoom: tuple[object, object] | None = ...) -> Figure: ...

@dataclass(frozen=True)
class Results:
    summary: dict[str, Any]
    replications: list[dict[str, Any]] = ...
    series: dict[str, Series] = ...
    @property
    def saturated(self) -> bool: ...
    @property
    def saturated_services(self) -> list[str]: ...
    @overload
    def report(self, path: None = ..., *, zoom: tuple[object, object] | None = ...) -> str: ...
    @overload
    def report(self, path: PathLike, *, zoom: tuple[object, object] | None = ...) -> list[Path]: ...
    @property
    def plot(self) -> Plots: ...
    def services(self) -> pd.DataFrame: ...
    def pages(self) -> pd.DataFrame: ...
    def journeys(self) -> pd.DataFrame: ...
    def drops(self) -> pd.Series: ...
    def timeseries(self, path: str, replication: int | None = ...) -> pd.DataFrame: ...
    def timeseries_paths(self) -> list[str]: ...
    def _repr_html_(self) -> str: ...

class Scenario:
    def set(self, path: str | Mapping[str, Any], value: Any = ..., /) -> Scenario: ...
    @property
    def name(self) -> str: ...
    @property
    def file(self) -> str: ...
    @property
    def overrides(self) -> list[tuple[str, str]]: ...
    def validate(self) -> list[str]: ...
    def info(self) -> dict[str, Any]: ...
    def to_yaml(self) -> str: ...

ScenarioLike = Union[Scenario, str, os.PathLike[str]]

def load(path: PathLike) -> Scenario: ...
def loads(text: str, *, base_dir: PathLike | None = ..., name: str = ...) -> Scenario: ...
def run(
    scenario: ScenarioLike,
    *,
    set: Overrides = ...,
    replications: int | None = ...,
    seed: int | None = ...,
    threads: int = ...,
    output: PathLike | None = ...,
    warmup: float | str | None = ...,
    precision: float | None = ...,
    max_replications: int = ...,
    keep_replications: bool = ...,
    max_memory: int | str | None = ...,
    force: bool = ...,
) -> Results: ...
def validate(scenario: ScenarioLike, *, set: Overrides = ...) -> dict[str, Any]: ...
def graph(scenario: ScenarioLike, *, set: Overrides = ...) -> str: ...
def estimate(scenario: ScenarioLike, *, set: Overrides = ...) -> pd.DataFrame: ...
def read(path: PathLike) -> Results: ...
def sweep(
    scenario: ScenarioLike,
    grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]],
    *,
    replications: int | None = ...,
    seed: int | None = ...,
    executor: Any = ...,
    progress: bool = ...,
    force: bool = ...,
) -> pd.DataFrame: ...

class SizeResult:
    values: dict[str, int]
    cost: float
    cost_ci95: float
    lost_revenue: float
    lost_revenue_ci95: float
    objective: float
    slo: list[dict[str, Any]]
    summary: dict[str, Any]
    evaluated: pd.DataFrame
    replications: int
    confirm_replications: int
    grid_size: int
    def to_json(self) -> dict[str, Any]: ...

class NoFeasiblePoint(Exception):
    why: list[str]
    evaluated: pd.DataFrame

def size(
    scenario: ScenarioLike,
    vary: Mapping[str, tuple[int, int]],
    *,
    objective: str = ...,
    confidence: float = ...,
    replications: int | None = ...,
    confirm_replications: int | None = ...,
    seed: int | None = ...,
    executor: Any = ...,
    progress: bool = ...,
    force: bool = ...,
) -> SizeResult: ...
