import os
from collections.abc import Iterable, Mapping
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

def run(
    path: PathLike,
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
) -> Results: ...
def validate(path: PathLike, *, set: Overrides = ...) -> dict[str, Any]: ...
def graph(path: PathLike, *, set: Overrides = ...) -> str: ...
