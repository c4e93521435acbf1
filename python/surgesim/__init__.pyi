import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Union

import pandas as pd

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
class Results:
    summary: dict[str, Any]
    replications: list[dict[str, Any]] = ...
    def report(self) -> str: ...
    def services(self) -> pd.DataFrame: ...
    def pages(self) -> pd.DataFrame: ...
    def journeys(self) -> pd.DataFrame: ...
    def drops(self) -> pd.Series: ...

def run(
    path: PathLike,
    *,
    set: Overrides = ...,
    replications: int | None = ...,
    seed: int | None = ...,
    threads: int = ...,
) -> Results: ...
def validate(path: PathLike, *, set: Overrides = ...) -> dict[str, Any]: ...
