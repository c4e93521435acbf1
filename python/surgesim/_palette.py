"""Colours of the report pictures.

A colour means the same thing in every panel, every run and every report: each drop-off
cause has its own fixed colour, and each service (and journey) takes the colour its name
hashes to, so that `web` is drawn alike in the base run and in a what-if. None of them
is grey, which marks the warm-up.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

WARMUP = "0.85"
ALL_PAGES = "black"
ARRIVED = "#ff7f0e"  # arrived sessions against lambda(t), in the traffic panel
RATE = "#1f77b4"
SLO_FAILED = "#d62728"

CAUSES = {
    "abandoned": "#d62728",
    "slow": "#ff7f0e",
    "rejected": "#9467bd",
    "timeout": "#8c564b",
    "pool_timeout": "#e377c2",
    "error": "#bcbd22",
    "outage": "#17becf",
    "declined": "#1f77b4",
    "waiting": "#2ca02c",
}

# Ten hues that stay apart as thin lines on white (more would start to look alike);
# no grey.
NAME_PALETTE = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e7298a", "#17becf", "#393b79", "#bcbd22",
]


def cause_colour(cause: str) -> str:
    """The fixed colour of a drop-off cause; causes added later hash like names."""
    return CAUSES.get(cause) or NAME_PALETTE[_preferred(cause)]


def name_colours(names: Iterable[str]) -> dict[str, str]:
    """A colour per name (services, or journeys): the palette entry its name hashes to.

    Two names of one shop that hash to the same entry would be indistinguishable, so the
    later one in sorted order takes the next free entry: colours stay the same for the
    same set of names, whatever order a report meets them in.
    """
    colours: dict[str, str] = {}
    for name in sorted(set(names)):
        first = _preferred(name)
        taken = set(colours.values())
        free = [NAME_PALETTE[(first + k) % len(NAME_PALETTE)] for k in range(len(NAME_PALETTE))]
        colours[name] = next((c for c in free if c not in taken), NAME_PALETTE[first])
    return colours


def _preferred(name: str) -> int:
    # crc32, not hash(): Python salts str hashes per process.
    return zlib.crc32(name.encode("utf-8")) % len(NAME_PALETTE)
