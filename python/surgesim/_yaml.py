"""Python values as YAML flow text, for overrides: what ``Scenario.set`` sends to the
loader, which reads it as the command line's ``--set KEY.PATH=VALUE`` reads VALUE."""

from __future__ import annotations

import datetime
import json
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any


def flow(value: Any) -> str:
    """``value`` as YAML flow text: scalars, lists (or tuples) and dicts with string keys.

    Strings are always quoted, so that ``"23:50"`` or ``"true"`` stay strings;
    ``timedelta`` becomes seconds; numpy scalars and arrays are taken as their Python
    values. Raises TypeError for anything else.
    """
    if value is None:
        return "null"
    if hasattr(value, "item") and callable(value.item) and getattr(value, "shape", None) == ():
        value = value.item()  # a numpy scalar
    elif hasattr(value, "tolist") and callable(value.tolist):
        value = value.tolist()  # a numpy array
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            return ".nan"
        if math.isinf(number):
            return ".inf" if number > 0 else "-.inf"
        return repr(number)  # the shortest text that reads back as the same double
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted one
    if isinstance(value, datetime.timedelta):
        return repr(value.total_seconds())
    if isinstance(value, Mapping):
        items = []
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"scenario maps have string keys, found {key!r}")
            items.append(f"{flow(key)}: {flow(item)}")
        return "{" + ", ".join(items) + "}"
    if isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        return "[" + ", ".join(flow(item) for item in value) + "]"
    raise TypeError(
        f"a scenario value must be a number, string, bool, None, timedelta, list or dict, "
        f"found {type(value).__name__}"
    )
