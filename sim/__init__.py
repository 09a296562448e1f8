"""Orbital replay simulator: replay a crewed mission from historical element sets, offline.

>>> import sim
>>> cat = sim.load_catalogue(sim.default_tle())
>>> len(cat), cat.norad_id
(6, 25544)
"""

from .bundled import default_scenario, default_tle
from .elements import Catalogue, ElementSet, load_catalogue, read_element_sets
from .errors import OutputError, ScenarioError, SimError, TimeSpanError, TLEError
from .times import TimeGrid

# heavier parts (skyfield, matplotlib) load on first use, so 'import sim' stays quick
_LAZY = {
    "propagate": "ephemeris",
    "Ephemeris": "ephemeris",
    "find_passes": "passes",
    "Station": "passes",
    "Pass": "passes",
    "passes_dataframe": "passes",
    "PRESETS": "passes",
    "load_scenario": "scenario",
    "Scenario": "scenario",
    "run_scenario": "replay",
    "Results": "results",
    "Trajectory": "results",
    "write_results": "output",
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__():
    """The eager names and the lazily loaded ones, for completion in notebooks."""
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "Catalogue",
    "ElementSet",
    "OutputError",
    "ScenarioError",
    "SimError",
    "TLEError",
    "TimeGrid",
    "TimeSpanError",
    "default_scenario",
    "default_tle",
    "load_catalogue",
    "read_element_sets",
    *_LAZY,
]
